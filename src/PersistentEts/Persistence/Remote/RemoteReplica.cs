using System.Globalization;
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
internal sealed class RemoteReplica : IDisposable
{
    private readonly RemoteOptions _options;
    private readonly IRemoteTableStore _store;
    private readonly string _localPath;
    private readonly IFileSystem _fs;
    private readonly ILogger _log;
    private readonly RemoteLease _lease;
    private readonly Timer _renewal;

    // Changed only by uploads, which run under the table's save lock, one at a time: the manifest as last
    // written or read (with its version for the next conditional write), and the lowest generation the
    // next upload may use (it also goes past every generation already in the store).
    private RemoteManifest _manifest;
    private long _nextGeneration;

    // Set once the store has refused this owner's lease; never cleared (reopen to own the table again).
    private volatile bool _fenced;
    private volatile Exception? _lastError;

    private RemoteReplica(RemoteOptions options, string localPath, IFileSystem fs, ILogger log, RemoteLease lease, RemoteManifest manifest, long nextGeneration)
    {
        _options = options;
        _store = options.Store;
        _localPath = localPath;
        _fs = fs;
        _log = log;
        _lease = lease;
        _manifest = manifest;
        _nextGeneration = nextGeneration;
        var every = options.LeaseDuration / 3;
        _renewal = new Timer(_ => Renew(), null, every, every);
    }

    /// <summary>The generation of the last snapshot the manifest names; 0 before the first upload.</summary>
    public long Generation => Volatile.Read(ref _manifest).Generation;

    /// <summary>The last remote failure, or null after a successful upload.</summary>
    public Exception? LastError => _lastError;

    /// <summary>
    /// Takes the lease (refused with <see cref="RemoteTableOwnedException"/> while another owner's is
    /// live), then brings the local snapshot up to the remote one when it is missing or older. The caller
    /// already holds the local files' lock.
    /// </summary>
    public static RemoteReplica Open(RemoteOptions options, string localPath, IFileSystem fs, ILogger log)
    {
        var store = options.Store;
        var lease = Wait(store.AcquireLeaseAsync(options.Holder, options.LeaseDuration, CancellationToken.None));
        try
        {
            var manifest = Wait(store.ReadManifestAsync(CancellationToken.None));
            var local = ReadLocalGeneration(fs, localPath);
            if (manifest.Generation > 0 && (!fs.Exists(localPath) || local < manifest.Generation))
            {
                Restore(store, manifest.Generation, localPath, fs);
                WriteLocalGeneration(fs, localPath, manifest.Generation);
                log.LogInformation("Restored table file {Path} from remote snapshot {Object} (local generation {Local})",
                    localPath, store.SnapshotName(manifest.Generation), local);
            }
            return new RemoteReplica(options, localPath, fs, log, lease, manifest, manifest.Generation + 1);
        }
        catch
        {
            TryRelease(store, lease, log);
            throw;
        }
    }

    /// <summary>
    /// Downloads generation <paramref name="generation"/> to <paramref name="localPath"/>, checked whole
    /// (structure and every checksum) before it replaces anything; the log segments of the local history
    /// it supersedes go with it.
    /// </summary>
    internal static void Restore(IRemoteTableStore store, long generation, string localPath, IFileSystem fs)
    {
        var name = store.SnapshotName(generation);
        var temp = TableFiles.TempFile(localPath);
        try
        {
            using (var source = Wait(store.OpenSnapshotAsync(generation, CancellationToken.None)))
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
            // Segments written after an older local snapshot belong to a history the remote one replaced.
            foreach (var (_, segment) in Log.LogFormat.FindSegments(fs, localPath)) fs.Delete(segment);
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
            await Call(_store.RenewLeaseAsync(_lease, CancellationToken.None), async).ConfigureAwait(false);
            // Past every generation in the store: an owner fenced meanwhile may have left one behind.
            var present = await Call(_store.ListSnapshotsAsync(CancellationToken.None), async).ConfigureAwait(false);
            var generation = Math.Max(_nextGeneration, (present.Count == 0 ? 0 : present[^1]) + 1);
            _nextGeneration = generation + 1;
            using (var content = _fs.OpenRead(_localPath))
                await Call(_store.UploadSnapshotAsync(generation, content, CancellationToken.None), async).ConfigureAwait(false);
            var before = _manifest;
            var kept = before.Kept.Append(generation).TakeLast(_options.KeepGenerations).ToArray();
            var next = new RemoteManifest(generation, kept, _options.Holder, DateTimeOffset.UtcNow);
            var written = await Call(_store.WriteManifestAsync(next, before.Version, _lease, CancellationToken.None), async).ConfigureAwait(false);
            Volatile.Write(ref _manifest, written);
            WriteLocalGeneration(_fs, _localPath, generation);
            _lastError = null;
            // Only generations the manifest no longer names may go (and any a failed attempt left behind).
            foreach (var old in present.Where(g => !kept.Contains(g)))
                await Call(_store.DeleteSnapshotAsync(old, CancellationToken.None), async).ConfigureAwait(false);
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

    private void Renew()
    {
        if (_fenced) return;
        try
        {
            Wait(_store.RenewLeaseAsync(_lease, CancellationToken.None));
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
            Wait(store.ReleaseLeaseAsync(lease, CancellationToken.None));
        }
        catch (RemoteStoreException e)
        {
            // Not released, it lapses within its duration.
            log.LogWarning(e, "Releasing the remote lease in {Store} failed; it lapses by itself", store.Name);
        }
    }

    /// <summary>The remote generation the local snapshot holds, as recorded beside it; 0 when unknown.</summary>
    private static long ReadLocalGeneration(IFileSystem fs, string localPath)
    {
        var marker = MarkerPath(localPath);
        if (!fs.Exists(marker)) return 0;
        using var reader = new StreamReader(fs.OpenRead(marker));
        return long.TryParse(reader.ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
    }

    private static void WriteLocalGeneration(IFileSystem fs, string localPath, long generation)
    {
        var marker = MarkerPath(localPath);
        var temp = TableFiles.TempFile(marker);
        using (var stream = fs.CreateNew(temp))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(generation.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush();
            fs.Sync(stream);
        }
        fs.Replace(temp, marker);
    }

    /// <summary>The file beside the snapshot that records which remote generation it is.</summary>
    internal static string MarkerPath(string localPath) => localPath + ".remote";

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private static async ValueTask<T> Call<T>(Task<T> task, bool async) => async ? await task.ConfigureAwait(false) : Wait(task);

    private static async ValueTask Call(Task task, bool async)
    {
        if (async) await task.ConfigureAwait(false);
        else Wait(task);
    }
}
