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
    private readonly object _saveLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Log.WriteAheadLog<TObject>? _wal;
    private readonly TableFileOwnership _ownership;
    private Task? _loop;

    // Guarded by _saveLock: the change count the file on disk reflects, when the next save is due, and
    // whether the table was closed (after which nothing is saved and the files are let go).
    private long _savedChanges;
    private long _nextDueTicks;
    private bool _stopped;

    // Serializes Close (owner end, delete, process exit), which may race with one another.
    private readonly object _closeLock = new();

    /// <summary>Built with the table core (see <see cref="TableWiring{TKey, TObject}"/>); saves nothing until <see cref="Start"/>.</summary>
    public TablePersistenceOf(TableCore<TKey, TObject> core, string path, PersistentTableOptions options,
        IObjectCodec<TObject> codec, IFileSystem fs, Log.WriteAheadLog<TObject>? wal, TableFileOwnership ownership)
        : base(path)
    {
        _core = core;
        _options = options;
        _codec = codec;
        _fs = fs;
        _wal = wal;
        _ownership = ownership;
        _log = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>The table's write-ahead log, when it has one.</summary>
    internal Log.WriteAheadLog<TObject>? Wal => _wal;

    /// <summary>Starts the save loop once the table is loaded; <paramref name="savedChanges"/> is the change count the file reflects.</summary>
    public void Start(long savedChanges)
    {
        lock (_saveLock)
        {
            _savedChanges = savedChanges;
            _nextDueTicks = Environment.TickCount64 + (long)_options.PersistEvery.TotalMilliseconds;
            UpToDateAt = DateTimeOffset.UtcNow;
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
                SaveIfChanged(_options.EffectiveWrite, restartPeriod: true);
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
        return SaveIfChanged(_options.EffectiveWrite with { Sync = true }, restartPeriod: true);
    }

    private SnapshotResult? SaveIfChanged(SnapshotWriteOptions write, bool restartPeriod)
    {
        lock (_saveLock)
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
                var result = Snapshot.Save(_core, Path, _wal is null ? write : write with { Sync = true }, _codec, _fs, _wal, _options.SchemaVersion);
                _savedChanges = result.ChangeCount;
                LastSave = result;
                LastError = null;
                UpToDateAt = instant;
                PersistenceMetrics.Saved(this, _core.Name, result);
                if (result.Duration > _options.PersistEvery)
                    _log.LogWarning("Saving table {Table} to {Path} took {Seconds:F2} s, longer than its period", _core.Name, Path, result.Duration.TotalSeconds);
                OnSaved(result);
                return result;
            }
            catch (Exception e) when (e is EtsException or IOException or UnauthorizedAccessException)
            {
                LastError = e;
                PersistenceMetrics.SaveFailed(_core.Name);
                _log.LogError(e, "Saving table {Table} to {Path} failed; the last good file is unchanged", _core.Name, Path);
                OnSaveFailed(e);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public bool Close(bool rethrow)
    {
        lock (_closeLock)
        {
            lock (_saveLock)
            {
                if (_stopped) return true;
            }
            // From here on every write either is in what the final save captures or throws.
            _core.SealWrites();
            Exception? failure = null;
            try
            {
                SaveIfChanged(_options.EffectiveWrite with { Sync = true }, restartPeriod: false);
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
    }

    internal override void Abandon()
    {
        lock (_closeLock) Stop();
    }

    private void Stop()
    {
        lock (_saveLock) _stopped = true;
        _stop.Cancel();
        ProcessExitSaver.Unregister(this);
        PersistenceMetrics.Closed(this);
        // Committers still waiting return once their record is covered (by the final save or this flush).
        _wal?.Close();
        _ownership.Dispose();
    }

    internal override void CloseForExit() => Close(rethrow: false);
}
