using System.Buffers;

namespace PersistentEts.Persistence;

/// <summary>
/// Turns stored objects into bytes and back. The default, <see cref="MessagePackObjectCodec{TObject}"/>,
/// needs no attributes; supply another for types it cannot handle.
/// </summary>
/// <typeparam name="TObject">The stored object type.</typeparam>
public interface IObjectCodec<TObject>
{
    /// <summary>
    /// Identifies the encoding in the file header (e.g. <c>msgpack-contractless/1</c>). A file is refused
    /// when opened with a codec of another id.
    /// </summary>
    string Id { get; }

    /// <summary>Appends one object's encoding to <paramref name="writer"/>.</summary>
    void Write(IBufferWriter<byte> writer, TObject obj);

    /// <summary>Decodes one object from the start of <paramref name="source"/>; reports how many bytes it used.</summary>
    TObject Read(ReadOnlyMemory<byte> source, out int bytesRead);
}
