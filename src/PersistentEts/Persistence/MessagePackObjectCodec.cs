using System.Buffers;
using MessagePack;

namespace PersistentEts.Persistence;

/// <summary>
/// The default codec: MessagePack with the contractless resolver, so records and POCOs, public or not,
/// need no attributes. Objects are written as maps keyed by member name, which keeps files self-describing:
/// <c>pets dump</c> prints them as JSON without the application's types.
/// </summary>
/// <remarks>Decoding uses MessagePack's untrusted-data mode: depth limits and collision-resistant hashing, because a snapshot file is input.</remarks>
public sealed class MessagePackObjectCodec<TObject> : IObjectCodec<TObject>
{
    /// <summary>The shared instance.</summary>
    public static MessagePackObjectCodec<TObject> Instance { get; } = new();

    /// <inheritdoc />
    public string Id => DefaultCodecOptions.CodecId;

    /// <inheritdoc />
    public string? Schema => Persistence.Schema.SchemaOf<TObject>.Text;

    /// <inheritdoc />
    public bool IsThreadSafe => true;

    /// <inheritdoc />
    public void Write(IBufferWriter<byte> writer, TObject obj) => MessagePackSerializer.Serialize(writer, obj, DefaultCodecOptions.Options);

    /// <inheritdoc />
    public TObject Read(ReadOnlyMemory<byte> source, out int bytesRead) =>
        MessagePackSerializer.Deserialize<TObject>(source, DefaultCodecOptions.Options, out bytesRead);
}
