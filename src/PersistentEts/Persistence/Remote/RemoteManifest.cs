namespace PersistentEts.Persistence.Remote;

/// <summary>
/// The small object that says what a remote table is: the generation of its current snapshot and the
/// generations kept. Only the lease holder advances it, with a conditional write, so that it only ever
/// names whole, uploaded snapshots.
/// </summary>
/// <param name="Generation">The current snapshot's generation; 0 when none has been uploaded.</param>
/// <param name="Kept">The generations kept, oldest first, the current one last.</param>
/// <param name="Holder">The owner that wrote this manifest.</param>
/// <param name="WrittenAt">When it was written.</param>
public sealed record RemoteManifest(long Generation, IReadOnlyList<long> Kept, string Holder, DateTimeOffset WrittenAt)
{
    /// <summary>
    /// The lease of the owner that last took the table. A machine whose own last lease this is holds the
    /// newest local files; any other restores from the store.
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>The log segment the current snapshot's changes continue in: replay starts there.</summary>
    public long LogSegment { get; init; }

    /// <summary>The store's version tag of the manifest as read (an ETag), for the conditional write that replaces it.</summary>
    public string? Version { get; init; }

    /// <summary>The manifest of a table that has no snapshot yet.</summary>
    public static RemoteManifest Empty { get; } = new(0, [], "", DateTimeOffset.MinValue);
}
