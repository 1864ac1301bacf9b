using Microsoft.Extensions.Logging;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence.Remote;

/// <summary>
/// One owner's side of a remote table: the lease taken at open and renewed while the table lives, the
/// restore of a missing or stale local snapshot, and the upload of each snapshot once it is durable locally.
/// </summary>
/// <remarks>
/// The local files stay the fast path and the source of every acknowledgement; the remote copy follows at
/// each save. A remote failure never fails the local save: it is logged, kept in
/// <see cref="LastError"/>, and the next save tries again. Once the store says the lease is no longer
/// ours (<see cref="RemoteLeaseLostException"/>), nothing more is written to it.
/// </remarks>
internal sealed class RemoteReplica : Log.IRemoteLog, IDisposable
{
    private readonly RemoteOptions _options;
    private readonly IRemoteTableStore _store;
    private readonly string _localPath;
    private readonly IFileSystem _fs;
    private readonly ILogger _log;
    private readonly RemoteLease _lease;
    private readonly Timer _renewal;

    // Changed only by uploads, which run under the table's save lock, one at a time: the manifest as last
    // written or read, with its version for the next conditional write.
    private RemoteManifest _manifest;

    // Set once the store has refused this owner's lease; never cleared (reopen to own the table again).
    private volatile bool _fenced;
    private volatile Exception? _lastError;

    private RemoteReplica(RemoteOptions options, string localPath, IFileSystem fs, ILogger log, RemoteLease lease, RemoteManifest manifest)
    {
        _options = options;
        _store = options.Store;
        _localPath = localPath;
        _fs = fs;
        _log = log;
        _lease = lease;
        _manifest = manifest;
        var every = options.LeaseDuration / 3;
        _renewal = new Timer(_ => Renew(), null, every, every);
    }

    /// <summary>The generation of the last snapshot the manifest names; 0 before the first upload.</summary>
    public long Generation => Volatile.Read(ref _manifest).Generation;

    /// <summary>The last remote failure, or null after a successful upload.</summary>
    public Exception? LastError => _lastError;

    /// <summary>
    /// Takes the lease (refused with <see cref="RemoteTableOwnedException"/> while another owner's is
    /// live) and the log away from any previous owner, then, unless this directory's files are the newest
    /// (its own last lease is the manifest's owner), replaces them with the remote snapshot and log. The
    /// caller already holds the local files' lock.
    /// </summary>
    public static RemoteReplica Open(RemoteOptions options, string localPath, IFileSystem fs, ILogger log)
    {
        var store = options.Store;
        var lease = SyncOrAsync.Block(store.AcquireLeaseAsync(options.Holder, options.LeaseDuration, CancellationToken.None));
        try
        {
            // From here on no earlier owner can append: what the log holds now is all it will ever hold.
            SyncOrAsync.Block(store.FenceLogAsync(CancellationToken.None));
            var manifest = SyncOrAsync.Block(store.ReadManifestAsync(CancellationToken.None));
            var localOwner = ReadMarker(fs, localPath);
            if (manifest.Owner != localOwner)
            {
                RestoreAll(store, manifest, localPath, fs);
                log.LogInformation("Restored table file {Path} from {Store}: snapshot generation {Generation} and the log after it",
                    localPath, store.Name, manifest.Generation);
            }
            // The table is this owner's now: say so in the manifest (fenced like every manifest write) and beside the files.
            manifest = SyncOrAsync.Block(store.WriteManifestAsync(manifest with { Owner = lease.Id, Holder = options.Holder, WrittenAt = DateTimeOffset.UtcNow },
                manifest.Version, lease, CancellationToken.None));
            WriteMarker(fs, localPath, lease.Id);
            return new RemoteReplica(options, localPath, fs, log, lease, manifest);
        }
        catch
        {
            TryRelease(store, lease, log);
            throw;
        }
    }

    /// <summary>
    /// Replaces the local files with the remote table: its current snapshot (or none) and its log segments
    /// from the one the snapshot continues in. The local log segments go once the remote snapshot has been
    /// checked, since they belong to a history the remote one superseded.
    /// </summary>
    private static void RestoreAll(IRemoteTableStore store, RemoteManifest manifest, string localPath, IFileSystem fs)
    {
        void DropLocalLog()
        {
            foreach (var (_, segment) in Log.LogFormat.FindSegments(fs, localPath)) fs.Delete(segment);
        }
        if (manifest.Generation > 0) Restore(store, manifest.Generation, localPath, fs, DropLocalLog);
        else
        {
            DropLocalLog();
            if (fs.Exists(localPath)) fs.Delete(localPath);
        }
        foreach (var seq in SyncOrAsync.Block(store.ListLogSegmentsAsync(CancellationToken.None)).Where(s => s >= manifest.LogSegment))
        {
            var name = store.LogSegmentName(seq);
            var target = Log.LogFormat.SegmentPath(localPath, seq);
            try
            {
                using var source = SyncOrAsync.Block(store.OpenLogSegmentAsync(seq, CancellationToken.None));
                if (source.Length == 0)
                {
                    // Created, but its owner died before the first append, which carries the header with the
                    // first records in one piece: it holds nothing. It goes, so this owner can use its number.
                    SyncOrAsync.Block(store.DeleteLogSegmentAsync(seq, CancellationToken.None));
                    continue;
                }
                using var file = fs.CreateNew(target);
                source.CopyTo(file);
                file.Flush();
                fs.Sync(file);
            }
            catch (IOException e)
            {
                throw new RemoteStoreException(name, $"it could not be restored to '{target}' ({e.Message})", e);
            }
        }
        fs.SyncDirectory(Path.GetDirectoryName(localPath) ?? ".");
    }

    /// <summary>
    /// Downloads generation <paramref name="generation"/> to <paramref name="localPath"/>, checked whole
    /// (structure and every checksum) before it replaces anything; <paramref name="beforeReplace"/> runs
    /// once it has passed, just before it does.
    /// </summary>
    internal static void Restore(IRemoteTableStore store, long generation, string localPath, IFileSystem fs, Action? beforeReplace = null)
    {
        var name = store.SnapshotName(generation);
        var temp = TableFiles.TempFile(localPath);
        try
        {
            using (var source = SyncOrAsync.Block(store.OpenSnapshotAsync(generation, CancellationToken.None)))
            using (var target = fs.CreateNew(temp))
            {
                source.CopyTo(target);
                target.Flush();
                fs.Sync(target);
            }
            try
            {
                Snapshot.Verify(temp);
            }
            catch (SnapshotFileException e)
            {
                throw new RemoteStoreException(name, $"the snapshot is damaged ({e.Problem}); the local files are unchanged, and older generations may still be fetched", e);
            }
            beforeReplace?.Invoke();
            fs.Replace(temp, localPath);
            fs.SyncDirectory(Path.GetDirectoryName(localPath) ?? ".");
        }
        catch (IOException e)
        {
            throw new RemoteStoreException(name, $"it could not be restored to '{localPath}' ({e.Message}); the local files are unchanged", e);
        }
        finally
        {
            if (fs.Exists(temp)) fs.Delete(temp);
        }
    }

    /// <summary>
    /// At open, once the local log is replayed (torn tails cut): appends to the store what the local
    /// segments hold beyond their remote copies. They are there when the last owner on this directory wrote
    /// them but died (or closed with the store away) before shipping them: not acknowledged with remote
    /// <see cref="LogSync.Always"/>, or within the interval with <see cref="LogSync.Interval"/>, but part of the
    /// table this owner continues. Without them in the store, followers would skip them and show later
    /// records without them: a state the owner never had.
    /// </summary>
    public void ShipLocalTail(IEnumerable<(long Seq, string Path)> segments)
    {
        foreach (var (seq, path) in segments)
        {
            var local = _fs.Length(path);
            var remote = SyncOrAsync.Block(_store.LogSegmentLengthAsync(seq, CancellationToken.None)) ?? 0;
            if (remote >= local) continue;
            var missing = new byte[local - remote];
            using (var file = _fs.OpenRead(path))
            {
                file.Position = remote;
                file.ReadExactly(missing);
            }
            SyncOrAsync.Block(_store.ResumeLogSegmentAsync(seq, _lease, CancellationToken.None));
            SyncOrAsync.Block(_store.AppendLogAsync(seq, remote, missing, _lease, CancellationToken.None));
            _log.LogWarning("Shipped {Bytes} bytes of write-ahead log segment {Path} that {Store} lacked (written before the last owner on this directory ended)",
                missing.Length, path, _store.Name);
        }
    }

    /// <summary>
    /// After a local save is durable: uploads the snapshot as the next generation, advances the manifest
    /// with a conditional write under the lease, and deletes the generations it no longer keeps. Never
    /// throws for a remote failure (see the class remarks). With <paramref name="async"/> every call to the
    /// store is awaited; without it, waited for.
    /// </summary>
    public async ValueTask AfterSaveAsync(bool async)
    {
        if (_fenced) return;
        try
        {
            // Renewed first, so that an owner that was paused past its lease learns so before it uploads.
            await SyncOrAsync.Wait(_store.RenewLeaseAsync(_lease, CancellationToken.None), async).ConfigureAwait(false);
            // Past every generation in the store: an owner fenced meanwhile may have left one behind.
            var present = await SyncOrAsync.Wait(_store.ListSnapshotsAsync(CancellationToken.None), async).ConfigureAwait(false);
            var generation = Math.Max(_manifest.Generation, present.Count == 0 ? 0 : present[^1]) + 1;
            long logSegment;
            using (var content = _fs.OpenRead(_localPath))
            {
                logSegment = new Format.SnapshotReader(content, _localPath).ReadHeader().LogSegment;
                content.Position = 0;
                await SyncOrAsync.Wait(_store.UploadSnapshotAsync(generation, content, CancellationToken.None), async).ConfigureAwait(false);
            }
            var before = _manifest;
            var kept = before.Kept.Append(generation).TakeLast(_options.KeepGenerations).ToArray();
            var next = new RemoteManifest(generation, kept, _options.Holder, DateTimeOffset.UtcNow) { Owner = _lease.Id, LogSegment = logSegment };
            var written = await SyncOrAsync.Wait(_store.WriteManifestAsync(next, before.Version, _lease, CancellationToken.None), async).ConfigureAwait(false);
            Volatile.Write(ref _manifest, written);
            _lastError = null;
            // The log before the snapshot's segment is in the snapshot now.
            var segments = await SyncOrAsync.Wait(_store.ListLogSegmentsAsync(CancellationToken.None), async).ConfigureAwait(false);
            foreach (var old in segments.Where(s => s < logSegment))
                await SyncOrAsync.Wait(_store.DeleteLogSegmentAsync(old, CancellationToken.None), async).ConfigureAwait(false);
            // Only generations the manifest no longer names may go (and any a failed attempt left behind).
            foreach (var old in present.Where(g => !kept.Contains(g)))
                await SyncOrAsync.Wait(_store.DeleteSnapshotAsync(old, CancellationToken.None), async).ConfigureAwait(false);
        }
        catch (RemoteLeaseLostException e)
        {
            _fenced = true;
            _lastError = e;
            _log.LogError(e, "Table file {Path} lost its remote lease in {Store}; nothing more is written to the remote store", _localPath, _store.Name);
        }
        catch (Exception e) when (e is RemoteStoreException or IOException)
        {
            _lastError = e;
            _log.LogWarning(e, "Uploading table file {Path} to {Store} failed; the local save stands and the next save tries again", _localPath, _store.Name);
        }
    }

    /// <inheritdoc />
    public void Ship(long seq, long offset, ReadOnlyMemory<byte> bytes)
    {
        if (_fenced) throw _lastError as RemoteLeaseLostException ?? new RemoteLeaseLostException(_store.LogSegmentName(seq), "this owner's lease is gone");
        try
        {
            if (offset == 0) SyncOrAsync.Block(_store.CreateLogSegmentAsync(seq, _lease, CancellationToken.None));
            SyncOrAsync.Block(_store.AppendLogAsync(seq, offset, bytes, _lease, CancellationToken.None));
        }
        catch (RemoteLeaseLostException e)
        {
            _fenced = true;
            _lastError = e;
            _log.LogError(e, "Table file {Path} lost its remote lease in {Store}; nothing more is written to the remote store", _localPath, _store.Name);
            throw;
        }
        catch (RemoteStoreException e)
        {
            _lastError = e;
            throw;
        }
    }

    private void Renew()
    {
        if (_fenced) return;
        try
        {
            SyncOrAsync.Block(_store.RenewLeaseAsync(_lease, CancellationToken.None));
        }
        catch (RemoteLeaseLostException e)
        {
            _fenced = true;
            _lastError = e;
            _log.LogError(e, "Table file {Path} lost its remote lease in {Store}; nothing more is written to the remote store", _localPath, _store.Name);
        }
        catch (RemoteStoreException e)
        {
            // A failed renewal is retried at the next tick; the lease lasts three ticks.
            _lastError = e;
            _log.LogWarning(e, "Renewing the remote lease of {Path} in {Store} failed", _localPath, _store.Name);
        }
    }

    /// <summary>Stops renewing and gives the lease up, so that another machine may take the table at once.</summary>
    public void Dispose()
    {
        _renewal.Dispose();
        if (!_fenced) TryRelease(_store, _lease, _log);
    }

    private static void TryRelease(IRemoteTableStore store, RemoteLease lease, ILogger log)
    {
        try
        {
            SyncOrAsync.Block(store.ReleaseLeaseAsync(lease, CancellationToken.None));
        }
        catch (RemoteStoreException e)
        {
            // Not released, it lapses within its duration.
            log.LogWarning(e, "Releasing the remote lease in {Store} failed; it lapses by itself", store.Name);
        }
    }

    /// <summary>The lease under which this directory last owned the table, as recorded beside its files; null when it never did.</summary>
    private static string? ReadMarker(IFileSystem fs, string localPath)
    {
        var marker = MarkerPath(localPath);
        if (!fs.Exists(marker)) return null;
        using var reader = new StreamReader(fs.OpenRead(marker));
        return reader.ReadLine() is { Length: > 0 } owner ? owner : null;
    }

    private static void WriteMarker(IFileSystem fs, string localPath, string owner)
    {
        var marker = MarkerPath(localPath);
        var temp = TableFiles.TempFile(marker);
        using (var stream = fs.CreateNew(temp))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(owner + "\n"));
            stream.Flush();
            fs.Sync(stream);
        }
        fs.Replace(temp, marker);
    }

    /// <summary>The file beside the snapshot that records its remote owner (see <see cref="ReadMarker"/>).</summary>
    internal static string MarkerPath(string localPath) => localPath + ".remote";
}
