namespace PersistentEts.Persistence;

/// <summary>How a snapshot is written (the options of <c>ets:tab2file/3</c>, and more).</summary>
public sealed record SnapshotWriteOptions
{
    /// <summary>The defaults: synced, checksummed, uncompressed, no history.</summary>
    public static SnapshotWriteOptions Default { get; } = new();

    /// <summary>
    /// fsync the file before it replaces the old one, and the directory after. Default true: without it a
    /// power loss can leave the new name pointing at an incomplete file. (A process crash cannot.)
    /// </summary>
    public bool Sync { get; init; } = true;

    /// <summary>Checksum every block (xxHash3). Default true.</summary>
    public bool Checksums { get; init; } = true;

    /// <summary>LZ4-compress blocks. Default false.</summary>
    public bool Compress { get; init; }

    /// <summary>How many previous snapshots to keep as <c>FILE.1</c> … <c>FILE.N</c> (newest first). Default 0.</summary>
    public int KeepPrevious { get; init; }

    /// <summary>
    /// Threads that encode a save's objects in parallel (1 to 64). Null, the default, uses one per 64 Ki
    /// objects, up to one per core and at most four. The threads run at the lowest priority the platform
    /// offers (Linux's idle class), so they take only the cores the application's own threads leave idle;
    /// when they get none for a while, the thread that saves encodes too, at its own priority, so a save
    /// always ends. The file is the same whatever the number.
    /// </summary>
    public int? EncodeThreads { get; init; }

    internal int ResolveEncodeThreads() => EncodeThreads ?? Format.BlockEncoder<object>.DefaultWorkers;

    internal void Validate()
    {
        if (KeepPrevious is < 0 or > 100) Throw.Argument(nameof(KeepPrevious), $"KeepPrevious must be from 0 to 100, not {KeepPrevious}.");
        if (EncodeThreads is < 1 or > 64) Throw.Argument(nameof(EncodeThreads), $"EncodeThreads must be from 1 to 64, not {EncodeThreads}.");
    }
}

/// <summary>How a snapshot is read (the options of <c>ets:file2tab/2</c>).</summary>
public sealed record SnapshotReadOptions
{
    /// <summary>The defaults: verify checksums.</summary>
    public static SnapshotReadOptions Default { get; } = new();

    /// <summary>Check block checksums while loading (ETS's <c>{verify, true}</c>). Default true. Structure is always checked.</summary>
    public bool Verify { get; init; } = true;
}

/// <summary>The outcome of one save.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Objects">Objects written.</param>
/// <param name="Bytes">The file's size.</param>
/// <param name="Duration">Wall time of the whole save.</param>
/// <param name="WriterPause">How long writers were held back to fix the snapshot's instant.</param>
public sealed record SnapshotResult(string Path, long Objects, long Bytes, TimeSpan Duration, TimeSpan WriterPause)
{
    /// <summary>The table's change counter at the snapshot's instant: what "nothing changed since" compares with.</summary>
    internal long ChangeCount { get; init; }
}
