using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// A store whose log reads can be held back (a follower falls behind while the owner goes on, as one on a
/// slow or paused machine would) and whose appends can be refused (the store is away for the owner).
/// </summary>
public sealed class GatedStore(IRemoteTableStore inner) : IRemoteTableStore
{
    private readonly ManualResetEventSlim _open = new(true);

    /// <summary>Log reads wait from now on (one already under way finishes).</summary>
    public void Close() => _open.Reset();

    /// <summary>Log reads go through again.</summary>
    public void Open() => _open.Set();

    private async Task Gate(CancellationToken cancellationToken) => await Task.Run(() => _open.Wait(cancellationToken), cancellationToken);

    public string Name => inner.Name;

    public Task<RemoteLease> AcquireLeaseAsync(string holder, TimeSpan duration, CancellationToken cancellationToken) => inner.AcquireLeaseAsync(holder, duration, cancellationToken);

    public Task RenewLeaseAsync(RemoteLease lease, CancellationToken cancellationToken) => inner.RenewLeaseAsync(lease, cancellationToken);

    public Task ReleaseLeaseAsync(RemoteLease lease, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(lease, cancellationToken);

    public Task<RemoteManifest> ReadManifestAsync(CancellationToken cancellationToken) => inner.ReadManifestAsync(cancellationToken);

    public Task<RemoteManifest> WriteManifestAsync(RemoteManifest manifest, string? expectedVersion, RemoteLease lease, CancellationToken cancellationToken) =>
        inner.WriteManifestAsync(manifest, expectedVersion, lease, cancellationToken);

    public Task UploadSnapshotAsync(long generation, Stream content, CancellationToken cancellationToken) => inner.UploadSnapshotAsync(generation, content, cancellationToken);

    public Task<Stream> OpenSnapshotAsync(long generation, CancellationToken cancellationToken) => inner.OpenSnapshotAsync(generation, cancellationToken);

    public Task<IReadOnlyList<long>> ListSnapshotsAsync(CancellationToken cancellationToken) => inner.ListSnapshotsAsync(cancellationToken);

    public Task DeleteSnapshotAsync(long generation, CancellationToken cancellationToken) => inner.DeleteSnapshotAsync(generation, cancellationToken);

    public string SnapshotName(long generation) => inner.SnapshotName(generation);

    public Task CreateLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken) => inner.CreateLogSegmentAsync(seq, lease, cancellationToken);

    /// <summary>While set, the store refuses every log append, as a store that is away does.</summary>
    public bool RefuseAppends { get; set; }

    public Task ResumeLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken) => inner.ResumeLogSegmentAsync(seq, lease, cancellationToken);

    public Task<long?> LogSegmentLengthAsync(long seq, CancellationToken cancellationToken) => inner.LogSegmentLengthAsync(seq, cancellationToken);

    public Task AppendLogAsync(long seq, long expectedLength, ReadOnlyMemory<byte> bytes, RemoteLease lease, CancellationToken cancellationToken) =>
        RefuseAppends ? throw new RemoteStoreException(LogSegmentName(seq), "the store is away") : inner.AppendLogAsync(seq, expectedLength, bytes, lease, cancellationToken);

    public Task FenceLogAsync(CancellationToken cancellationToken) => inner.FenceLogAsync(cancellationToken);

    public async Task<IReadOnlyList<long>> ListLogSegmentsAsync(CancellationToken cancellationToken)
    {
        await Gate(cancellationToken);
        return await inner.ListLogSegmentsAsync(cancellationToken);
    }

    public Task<Stream> OpenLogSegmentAsync(long seq, CancellationToken cancellationToken) => inner.OpenLogSegmentAsync(seq, cancellationToken);

    /// <summary>While set, the store refuses every log read, as a store that is away does.</summary>
    public bool RefuseReads { get; set; }

    public async Task<byte[]?> ReadLogAsync(long seq, long offset, int maxBytes, CancellationToken cancellationToken)
    {
        await Gate(cancellationToken);
        if (RefuseReads) throw new RemoteStoreException(LogSegmentName(seq), "the store is away");
        return await inner.ReadLogAsync(seq, offset, maxBytes, cancellationToken);
    }

    public Task DeleteLogSegmentAsync(long seq, CancellationToken cancellationToken) => inner.DeleteLogSegmentAsync(seq, cancellationToken);

    public string LogSegmentName(long seq) => inner.LogSegmentName(seq);
}
