namespace PersistentEts.Persistence;

/// <summary>
/// The saving side of a persistent table (<see cref="EtsTable{TKey, TObject}.Persistence"/>): flush,
/// the last save and the last error.
/// </summary>
/// <remarks>
/// A failed save never touches the last good file. It is logged, kept in <see cref="LastError"/>,
/// raised through <see cref="SaveFailed"/>, and retried at the next period.
/// </remarks>
public abstract class TablePersistence
{
    private protected TablePersistence(string path) => Path = path;

    /// <summary>The snapshot file.</summary>
    public string Path { get; }

    /// <summary>The last successful save, or null if none yet.</summary>
    public SnapshotResult? LastSave { get; private protected set; }

    /// <summary>The error of the last save if it failed; null after a success.</summary>
    public Exception? LastError { get; private protected set; }

    /// <summary>
    /// When the file was last known to hold every change made before then: the instant of the last
    /// successful save, the last period that found nothing to save, or the moment the table was loaded. Null before
    /// the table is loaded. A save loop that keeps failing, or stalls, leaves it behind; health checks
    /// compare it with <see cref="PersistentTableOptions.PersistEvery"/>.
    /// </summary>
    public DateTimeOffset? UpToDateAt { get; private protected set; }

    /// <summary>
    /// With <see cref="PersistentTableOptions.Remote"/>: the generation of the last snapshot the remote
    /// manifest names (0 before the first upload). Null for a table kept only locally.
    /// </summary>
    public abstract long? RemoteGeneration { get; }

    /// <summary>
    /// With <see cref="PersistentTableOptions.Remote"/>: the last remote failure (an upload, or the lease),
    /// null after a successful upload. A <see cref="RemoteLeaseLostException"/> here stays: the table no
    /// longer writes to the remote store.
    /// </summary>
    public abstract Exception? LastRemoteError { get; }

    /// <summary>
    /// With <see cref="DurabilityMode.Log"/>: the log position just past the last record counted written.
    /// Read after a write returns (with <see cref="LogSync.Always"/>), it is at or past that write's record,
    /// so a follower that reaches it shows the write (<c>FollowerTable.WaitForPosition</c>): read your own
    /// writes on another machine. With remote <see cref="LogSync.Interval"/> the store gets the record at
    /// the next shipment. Null without a log.
    /// </summary>
    public abstract LogPosition? LogPosition { get; }

    /// <summary>Number of saves skipped because nothing had changed.</summary>
    public long SkippedSaves { get; private protected set; }

    /// <summary>Raised after each successful save (on the saving thread).</summary>
    public event Action<SnapshotResult>? Saved;

    /// <summary>Raised after each failed save (on the saving thread).</summary>
    public event Action<Exception>? SaveFailed;

    private protected void OnSaved(SnapshotResult r) => Saved?.Invoke(r);

    private protected void OnSaveFailed(Exception e) => SaveFailed?.Invoke(e);

    /// <summary>
    /// The seed's <c>flush/1</c>: saves now, synced, if anything changed since the last save, and restarts
    /// the period. Throws <see cref="SnapshotFileException"/> if the save fails.
    /// </summary>
    public abstract SnapshotResult? Flush();

    /// <summary>
    /// As <see cref="Flush"/>, with the file written by asynchronous I/O: no thread waits on the disk (the
    /// fsyncs, which have no asynchronous form, run on a pool thread). Cancelling it while it waits for a
    /// save in progress, or while it writes, stops it and leaves the last good file unchanged; the changes
    /// stay in the table (and in the log) for the next save.
    /// </summary>
    public Task<SnapshotResult?> FlushAsync(CancellationToken cancellationToken = default) => FlushCoreAsync(cancellationToken);

    private protected abstract Task<SnapshotResult?> FlushCoreAsync(CancellationToken cancellationToken);

    /// <summary>The process is ending: saves and stops, never throwing (see <see cref="ProcessExitSaver"/>).</summary>
    internal abstract void CloseForExit();

    /// <summary>Stops saving and lets the files go without a final save, as a crash would (and as an open that failed does).</summary>
    internal abstract void Abandon();
}
