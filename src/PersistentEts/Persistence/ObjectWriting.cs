using MessagePack;
using PersistentEts.Persistence.Format;

namespace PersistentEts.Persistence;

/// <summary>How a save writes runs of objects with a codec.</summary>
internal static class ObjectWriting
{
    /// <summary>
    /// The default codec writes a run of objects with one MessagePack writer and one formatter lookup (a
    /// call per object costs about as much again as the encoding itself); any other codec is called once
    /// per object.
    /// </summary>
    public static WriteObjects<TObject> For<TObject>(IObjectCodec<TObject> codec) =>
        codec is MessagePackObjectCodec<TObject> ? WriteMessagePack : (buffer, objects, stopAtBytes) =>
        {
            var i = 0;
            while (i < objects.Length)
            {
                codec.Write(buffer, objects[i++]);
                if (buffer.WrittenCount >= stopAtBytes) break;
            }
            return i;
        };

    private static int WriteMessagePack<TObject>(PooledBufferWriter buffer, ReadOnlySpan<TObject> objects, int stopAtBytes)
    {
        var options = DefaultCodecOptions.Options;
        var formatter = options.Resolver.GetFormatterWithVerify<TObject>();
        var writer = new MessagePackWriter(buffer);
        var i = 0;
        while (i < objects.Length)
        {
            formatter.Serialize(ref writer, objects[i++], options);
            // Committed after each object, so that the buffer's length says where a block may end.
            writer.Flush();
            if (buffer.WrittenCount >= stopAtBytes) break;
        }
        return i;
    }
}
