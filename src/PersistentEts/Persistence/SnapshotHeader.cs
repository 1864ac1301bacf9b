namespace PersistentEts.Persistence;

/// <summary>
/// The metadata at the start of a snapshot file: what <c>ets:tabfile_info/1</c> reports.
/// </summary>
/// <param name="FormatVersion">The file format version.</param>
/// <param name="Name">The table name when saved.</param>
/// <param name="Type">The table type.</param>
/// <param name="Key">The key selector's description, e.g. <c>r => r.Id</c>.</param>
/// <param name="KeyType">The key's .NET type name.</param>
/// <param name="ObjectType">The stored objects' .NET type name.</param>
/// <param name="Protection">The table's protection.</param>
/// <param name="NamedTable">Whether the table was named.</param>
/// <param name="Codec">The codec id.</param>
/// <param name="CreatedUtc">When the file was written.</param>
/// <param name="Compressed">Whether blocks are LZ4-compressed.</param>
/// <param name="Checksums">Whether blocks carry checksums.</param>
/// <param name="LogSegment">The first write-ahead log segment written after this snapshot's instant (0: no log).</param>
public sealed record SnapshotHeader(
    int FormatVersion,
    string Name,
    TableType Type,
    string Key,
    string KeyType,
    string ObjectType,
    TableProtection Protection,
    bool NamedTable,
    string Codec,
    DateTimeOffset CreatedUtc,
    bool Compressed,
    bool Checksums,
    long LogSegment = 0)
{
    /// <summary>
    /// The stored type's schema as JSON (format version 2 on): its members and their types and nullability,
    /// recursively for nested records. Null in files written before it was recorded.
    /// </summary>
    public string? Schema { get; init; }

    /// <summary>The application's schema version when the file was written (<c>PersistentTableOptions.SchemaVersion</c>); 0 by default.</summary>
    public int SchemaVersion { get; init; }
}

/// <summary>What <see cref="Snapshot.ReadInfo(string)"/> returns: the header, plus counts from the trailer.</summary>
/// <param name="Path">The file.</param>
/// <param name="Header">The header.</param>
/// <param name="ObjectCount">Objects in the file, from the trailer.</param>
/// <param name="BlockCount">Blocks in the file, from the trailer.</param>
/// <param name="FileBytes">The file's size.</param>
public sealed record SnapshotInfo(string Path, SnapshotHeader Header, long ObjectCount, long BlockCount, long FileBytes);
