namespace PersistentEts.Persistence.Remote;

/// <summary>
/// Where one table's durable state lives beyond the machine: immutable snapshot generations, a manifest
/// naming the current one, and a lease that makes one owner at a time. The local directory stays the fast
/// path; this copy follows it. Implemented for Azure Blob Storage by the <c>PersistentEts.Azure</c> package.
/// </summary>
/// <remarks>
/// Every method throws <see cref="RemoteStoreException"/> (or a subtype) naming the object, never the
/// service's own exception types. Implementations retry transient failures with their SDK's policies.
/// </remarks>
public interface IRemoteTableStore
{
    /// <summary>The store and table, for messages and logs (e.g. the container and prefix).</summary>
    string Name { get; }

    /// <summary>
    /// Takes the table's lease for <paramref name="duration"/>, recording <paramref name="holder"/> with it.
    /// Throws <see cref="RemoteTableOwnedException"/> naming the current holder while another lease is live.
    /// </summary>
    Task<RemoteLease> AcquireLeaseAsync(string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Renews the lease; throws <see cref="RemoteLeaseLostException"/> once it is no longer this owner's.</summary>
    Task RenewLeaseAsync(RemoteLease lease, CancellationToken cancellationToken);

    /// <summary>Gives the lease up, so that another owner may take the table at once.</summary>
    Task ReleaseLeaseAsync(RemoteLease lease, CancellationToken cancellationToken);

    /// <summary>The manifest, with its <see cref="RemoteManifest.Version"/>; <see cref="RemoteManifest.Empty"/> when the table has none yet.</summary>
    Task<RemoteManifest> ReadManifestAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the manifest only if it is still <paramref name="expectedVersion"/> and
    /// <paramref name="lease"/> is still this owner's; returns it with its new version. Throws
    /// <see cref="RemoteLeaseLostException"/> when either condition fails: another owner has the table.
    /// </summary>
    Task<RemoteManifest> WriteManifestAsync(RemoteManifest manifest, string? expectedVersion, RemoteLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Uploads a snapshot as generation <paramref name="generation"/>, streamed, with the service checking
    /// each part's content hash. A generation is immutable: uploading one that exists fails.
    /// </summary>
    Task UploadSnapshotAsync(long generation, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens generation <paramref name="generation"/> for reading, streamed.</summary>
    Task<Stream> OpenSnapshotAsync(long generation, CancellationToken cancellationToken);

    /// <summary>The snapshot generations in the store, oldest first (including any the manifest no longer names).</summary>
    Task<IReadOnlyList<long>> ListSnapshotsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes generation <paramref name="generation"/> if it exists.</summary>
    Task DeleteSnapshotAsync(long generation, CancellationToken cancellationToken);

    /// <summary>The name of generation <paramref name="generation"/>'s object, for messages.</summary>
    string SnapshotName(long generation);

    /// <summary>
    /// Creates log segment <paramref name="seq"/> (an empty append-only object), held under
    /// <paramref name="lease"/> so that only this owner can append to it. Fails if it exists.
    /// </summary>
    Task CreateLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Takes log segment <paramref name="seq"/> under <paramref name="lease"/> as <see cref="CreateLogSegmentAsync"/>
    /// does, whether it exists (its earlier holder was fenced) or not (it is created). An owner reopening the
    /// table on the directory that holds the newest log uses it to append what the store lacks.
    /// </summary>
    Task ResumeLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken);

    /// <summary>The length of log segment <paramref name="seq"/> in bytes, or null when it does not exist.</summary>
    Task<long?> LogSegmentLengthAsync(long seq, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="bytes"/> to log segment <paramref name="seq"/>, only if the segment is
    /// <paramref name="expectedLength"/> bytes long and still held under <paramref name="lease"/>: a retried
    /// append never lands twice, and a fenced owner's never lands. Throws
    /// <see cref="RemoteLeaseLostException"/> when the lease is gone.
    /// </summary>
    Task AppendLogAsync(long seq, long expectedLength, ReadOnlyMemory<byte> bytes, RemoteLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Takes every log segment away from whoever holds it (breaks its lock), so that a previous owner can no
    /// longer append. A new owner does this after taking the table's lease and before reading the log.
    /// </summary>
    Task FenceLogAsync(CancellationToken cancellationToken);

    /// <summary>The log segments in the store, in order.</summary>
    Task<IReadOnlyList<long>> ListLogSegmentsAsync(CancellationToken cancellationToken);

    /// <summary>Opens log segment <paramref name="seq"/> for reading, streamed.</summary>
    Task<Stream> OpenLogSegmentAsync(long seq, CancellationToken cancellationToken);

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> of log segment <paramref name="seq"/> from byte
    /// <paramref name="offset"/>: what followers poll. Returns the bytes (empty when the segment holds none
    /// past <paramref name="offset"/>), or null when the segment does not exist. Never returns part of an
    /// append that is still in progress beyond what the store has committed.
    /// </summary>
    Task<byte[]?> ReadLogAsync(long seq, long offset, int maxBytes, CancellationToken cancellationToken);

    /// <summary>Deletes log segment <paramref name="seq"/> if it exists.</summary>
    Task DeleteLogSegmentAsync(long seq, CancellationToken cancellationToken);

    /// <summary>The name of log segment <paramref name="seq"/>'s object, for messages.</summary>
    string LogSegmentName(long seq);
}
