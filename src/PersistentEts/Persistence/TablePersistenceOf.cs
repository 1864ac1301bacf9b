using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersistentEts.Persistence.IO;
using PersistentEts.Tables;

namespace PersistentEts.Persistence;

/// <summary>The save loop of one table, and what happens to its files when its owner ends.</summary>
internal sealed class TablePersistenceOf<TKey, TObject> : TablePersistence, ITableDurability where TKey : notnull
{
    private readonly TableCore<TKey, TObject> _core;
    private readonly PersistentTableOptions _options;
    private readonly IObjectCodec<TObject> _codec;
    private readonly IFileSystem _fs;
    private readonly ILogger _log;
    // One save at a time. A semaphore, not a monitor, because an asynchronous save holds it across awaits.
    private readonly SemaphoreSlim _saveLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Log.WriteAheadLog<TObject>? _wal;
    private readonly TableFileOwnership _ownership;
    private readonly Remote.RemoteReplica? _remote;
    private Task? _loop;

    // Guarded by _saveLock: the change count the file on disk reflects, when the next save is due, and
    // whether the table was closed (after which nothing is saved and the files are let go).
    private long _savedChanges;
    private long _nextDueTicks;
    private bool _stopped;

    // Serializes Close (owner end, delete, process exit), which may race with one another. A semaphore,
    // since an asynchronous close holds it across its awaited final save.
    private readonly SemaphoreSlim _closeLock = new(1, 1);

    /// <summary>Built with the table core (see <see cref="TableWiring{TKey, TObject}"/>); saves nothing until <see cref="Start"/>.</summary>
    public TablePersistenceOf(TableCore<TKey, TObject> core, string path, PersistentTableOptions options,
        IObjectCodec<TObject> codec, IFileSystem fs, Log.WriteAheadLog<TObject>? wal, TableFileOwnership ownership, Remote.RemoteReplica? remote)
        : base(path)
    {
        _remote = remote;
        _core = core;
        _options = options;
        _codec = codec;
        _fs = fs;
        _wal = wal;
        _ownership = ownership;
        _log = options.Logger ?? NullLogger.Instance;
    }

    public override long? RemoteGeneration => _remote?.Generation;

    public override Exception? LastRemoteError => _remote?.LastError;

    /// <inheritdoc />
    public override LogPosition? LogPosition => _wal?.Position;

    /// <summary>The table's write-ahead log, when it has one.</summary>
    internal Log.WriteAheadLog<TObject>? Wal => _wal;

    /// <summary>Starts the save loop once the table is loaded; <paramref name="savedChanges"/> is the change count the file reflects.</summary>
    public void Start(long savedChanges)
    {
        _saveLock.Wait();
        try
        {
            _savedChanges = savedChanges;
            _nextDueTicks = Environment.TickCount64 + (long)_options.PersistEvery.TotalMilliseconds;
            UpToDateAt = DateTimeOffset.UtcNow;
        }
        finally
        {
            _saveLock.Release();
        }
        ProcessExitSaver.Register(this);
        PersistenceMetrics.Opened(this, _core.Name);
        _loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var wait = Interlocked.Read(ref _nextDueTicks) - Environment.TickCount64;
            if (wait > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(wait, int.MaxValue)), _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue; // re-read the due time: a flush may have moved it
            }
            try
            {
                // Awaited I/O: the loop holds no thread while the disk works.
                await SaveIfChangedAsync(_options.EffectiveWrite, restartPeriod: true, async: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EtsException or IOException or UnauthorizedAccessException)
            {
                // Recorded and logged by SaveIfChanged; the loop keeps trying at the next period.
            }
        }
    }

    public override SnapshotResult? Flush()
    {
        _core.EnsureAlive();
        return SyncOrAsync.Completed(SaveIfChangedAsync(_options.EffectiveWrite with { Sync = true }, restartPeriod: true, async: false, CancellationToken.None));
    }

    private protected override async Task<SnapshotResult?> FlushCoreAsync(CancellationToken cancellationToken)
    {
        _core.EnsureAlive();
        return await SaveIfChangedAsync(_options.EffectiveWrite with { Sync = true }, restartPeriod: true, async: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves if anything changed since the file was last written; with <paramref name="async"/> by awaited
    /// I/O, otherwise on the calling thread (completing synchronously). A cancelled save is not a failure:
    /// it leaves the last good file and <see cref="TablePersistence.LastError"/> as they were.
    /// </summary>
    private async ValueTask<SnapshotResult?> SaveIfChangedAsync(SnapshotWriteOptions write, bool restartPeriod, bool async, CancellationToken cancellationToken)
    {
        if (async) await _saveLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        else _saveLock.Wait(cancellationToken);
        SnapshotResult result;
        ExceptionDispatchInfo? failure = null;
        try
        {
            if (restartPeriod) Interlocked.Exchange(ref _nextDueTicks, Environment.TickCount64 + (long)_options.PersistEvery.TotalMilliseconds);
            if (_stopped || _core.IsDestroyed) return null;
            // A failed log refuses writes until a save rotates it, even when nothing changed since.
            if (_core.ChangeCount == _savedChanges && _wal?.Failure is null)
            {
                SkippedSaves++;
                UpToDateAt = DateTimeOffset.UtcNow;
                return null;
            }
            // The snapshot's instant is fixed as the save begins: the file holds the changes made before this.
            var instant = DateTimeOffset.UtcNow;
            try
            {
                // With a log, a snapshot retires log segments, so it must itself be durable first.
                result = await Snapshot.SaveCoreAsync(_core, Path, _wal is null ? write : write with { Sync = true }, _codec, _fs, _wal,
                    _options.SchemaVersion, async, cancellationToken).ConfigureAwait(false);
                _savedChanges = result.ChangeCount;
                LastSave = result;
                LastError = null;
                UpToDateAt = instant;
                PersistenceMetrics.Saved(this, _core.Name, result);
                if (result.Duration > _options.PersistEvery)
                    _log.LogWarning("Saving table {Table} to {Path} took {Seconds:F2} s, longer than its period", _core.Name, Path, result.Duration.TotalSeconds);
                // The remote copy follows the durable local file; its failures never fail this save.
                if (_remote is not null) await _remote.AfterSaveAsync(async).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EtsException or IOException or UnauthorizedAccessException)
            {
                LastError = e;
                PersistenceMetrics.SaveFailed(_core.Name);
                _log.LogError(e, "Saving table {Table} to {Path} failed; the last good file is unchanged", _core.Name, Path);
                failure = ExceptionDispatchInfo.Capture(e);
                result = null!;
            }
        }
        finally
        {
            _saveLock.Release();
        }
        // Raised outside the save lock, so that a handler may flush, or end the table, without waiting on itself.
        if (failure is not null)
        {
            OnSaveFailed(failure.SourceException);
            failure.Throw();
        }
        OnSaved(result);
        return result;
    }

    /// <inheritdoc />
    public bool Close(bool rethrow) => SyncOrAsync.Completed(CloseAsync(rethrow, async: false));

    /// <inheritdoc />
    public async ValueTask<bool> CloseAsync(bool rethrow, bool async)
    {
        if (async) await _closeLock.WaitAsync().ConfigureAwait(false);
        else _closeLock.Wait();
        try
        {
            if (Stopped()) return true;
            // From here on every write either is in what the final save captures or throws.
            _core.SealWrites();
            Exception? failure = null;
            try
            {
                await SaveIfChangedAsync(_options.EffectiveWrite with { Sync = true }, restartPeriod: false, async, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EtsException or IOException or UnauthorizedAccessException)
            {
                failure = e; // logged and recorded by the save
            }
            if (failure is not null && _wal is null)
            {
                // Without a log, what changed since the last good save is only in memory: keep the table
                // (and its save loop) alive rather than drop it, and say so.
                _core.UnsealWrites();
                if (!rethrow) return false;
                throw new SnapshotFileException(Path,
                    $"the final save failed ({failure.Message}); the table stays open with its changes since the last good save, " +
                    "which the save loop keeps retrying (dispose again to retry now); the last good file is unchanged", null, failure);
            }
            Stop();
            if (failure is not null)
            {
                // Every acknowledged change is in the log, which the next open replays.
                _log.LogWarning("Table {Table}'s final save to {Path} failed; its changes are kept in the write-ahead log", _core.Name, Path);
            }
            return true;
        }
        finally
        {
            _closeLock.Release();
        }
    }

    /// <inheritdoc />
    public bool IsClosed => Stopped();

    internal override void Abandon()
    {
        _closeLock.Wait();
        try
        {
            Stop();
        }
        finally
        {
            _closeLock.Release();
        }
    }

    // Written under _saveLock; read without it where only "closed yet?" matters (closes are serialized
    // by _closeLock, so a close never reads it while another close writes it).
    private bool Stopped() => Volatile.Read(ref _stopped);

    private void Stop()
    {
        _saveLock.Wait();
        try
        {
            _stopped = true;
        }
        finally
        {
            _saveLock.Release();
        }
        _stop.Cancel();
        ProcessExitSaver.Unregister(this);
        PersistenceMetrics.Closed(this);
        // Committers still waiting return once their record is covered (by the final save or this flush).
        _wal?.Close();
        _remote?.Dispose();
        _ownership.Dispose();
    }

    internal override void CloseForExit() => Close(rethrow: false);
}
