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

    /// <summary>
    /// The shape of <typeparamref name="TObject"/> as this codec stores it, recorded in every snapshot and log
    /// segment and compared with the file's when a table opens (see docs/schema-evolution.md). The default
    /// codec describes its member maps; a custom codec returns <see cref="StoredSchema.Describe"/> of its type
    /// when it, too, stores objects member by member by name, its own text in the same format otherwise, or
    /// null (the default here) to opt out: its files are then opened without a schema check, and the codec
    /// owns its evolution.
    /// </summary>
    string? Schema => null;

    /// <summary>
    /// True when <see cref="Write"/> and <see cref="Read"/> may run on several threads at once (most
    /// serializers allow it): saves then encode, and loads decode, on every core. False, the default here,
    /// keeps the calls of one save or load on one thread at a time.
    /// </summary>
    bool IsThreadSafe => false;

    /// <summary>Appends one object's encoding to <paramref name="writer"/>.</summary>
    void Write(IBufferWriter<byte> writer, TObject obj);

    /// <summary>Decodes one object from the start of <paramref name="source"/>; reports how many bytes it used.</summary>
    TObject Read(ReadOnlyMemory<byte> source, out int bytesRead);
}
