using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Schema;

/// <summary>
/// Another encoding plugged in: each object as System.Text.Json UTF-8 after a 4-byte length. It stores
/// objects member by member by name, so it may supply the same schema as the default codec
/// (<paramref name="describeSchema"/>) to get the same checks, or opt out.
/// </summary>
internal sealed class JsonCodec<T>(bool describeSchema) : IObjectCodec<T>
{
    public string Id => "json/1";

    public string? Schema => describeSchema ? StoredSchema.Describe(typeof(T)) : null;

    public void Write(IBufferWriter<byte> writer, T obj)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(obj);
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), json.Length);
        writer.Advance(4);
        writer.Write(json);
    }

    public T Read(ReadOnlyMemory<byte> source, out int bytesRead)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(source.Span);
        bytesRead = 4 + length;
        return JsonSerializer.Deserialize<T>(source.Span.Slice(4, length)) ?? throw new InvalidDataException("null object");
    }
}
