using System.Buffers;
using MessagePack;

namespace PersistentEts.Persistence;

/// <summary>
/// Reads any MessagePack value as raw bytes, for checking and printing files without the application's
/// types. Writing is not supported.
/// </summary>
internal sealed class RawMessagePackCodec : IObjectCodec<ReadOnlyMemory<byte>>
{
    public static RawMessagePackCodec Instance { get; } = new();

    public string Id => "msgpack-raw";

    public void Write(IBufferWriter<byte> writer, ReadOnlyMemory<byte> obj) => writer.Write(obj.Span);

    public ReadOnlyMemory<byte> Read(ReadOnlyMemory<byte> source, out int bytesRead)
    {
        var reader = new MessagePackReader(source);
        // Skip validates the structure: every length inside the value is checked against the buffer.
        reader.Skip();
        bytesRead = (int)reader.Consumed;
        return source[..bytesRead];
    }
}
