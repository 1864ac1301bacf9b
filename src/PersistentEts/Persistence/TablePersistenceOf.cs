using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersistentEts.Persistence.IO;
using PersistentEts.Tables;

namespace PersistentEts.Persistence;

/// <summary>The save loop of one table.</summary>
internal sealed class TablePersistenceOf<TKey, TObject> : TablePersistence where TKey : notnull
{
    private readonly TableCore<TKey, TObject> _core;
    private readonly PersistentTableOptions _options;
    private readonly IObjectCodec<TObject> _codec;
    private readonly IFileSystem _fs;
    private readonly ILogger _log;
    private readonly object _saveLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Log.WriteAheadLog<TObject>? _wal;

    // Guarded by _saveLock: the change count the file on disk reflects, and when the next save is due.
    private long _savedChanges;
    private long _nextDueTicks;
    private bool _stopped;

    public TablePersistenceOf(TableCore<TKey, TObject> core, string path, PersistentTableOptions options,
        IObjectCodec<TObject> codec, IFileSystem fs, long savedChanges, Log.WriteAheadLog<TObject>? wal = null)
        : base(path)
    {
        _wal = wal;
        _core = core;
        _options = options;
        _codec = codec;
        _fs = fs;
        _log = options.Logger ?? NullLogger.Instance;
        _savedChanges = savedChanges;
        _nextDueTicks = Environment.TickCount64 + (long)options.PersistEvery.TotalMilliseconds;
        ProcessExitSaver.Register(this);
        PersistenceMetrics.Opened(this, core.Name);
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
                SaveIfChanged(_options.Write, restartPeriod: true);
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
        return SaveIfChanged(_options.Write with { Sync = true }, restartPeriod: true);
    }

    private SnapshotResult? SaveIfChanged(SnapshotWriteOptions write, bool restartPeriod)
    {
        lock (_saveLock)
        {
            if (restartPeriod) Interlocked.Exchange(ref _nextDueTicks, Environment.TickCount64 + (long)_options.PersistEvery.TotalMilliseconds);
            if (_stopped || _core.IsDestroyed) return null;
            if (_core.ChangeCount == _savedChanges)
            {
                SkippedSaves++;
                return null;
            }
            try
            {
                // With a log, a snapshot retires log segments, so it must itself be durable first.
                var result = Snapshot.Save(_core, Path, _wal is null ? write : write with { Sync = true }, _codec, _fs, _wal);
                _savedChanges = result.ChangeCount;
                LastSave = result;
                LastError = null;
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

    /// <summary>The final save when the owner ends, the table is deleted, or the process exits; then stops the loop.</summary>
    internal override void SaveAndStop(bool rethrow, bool save = true)
    {
        try
        {
            if (save) SaveIfChanged(_options.Write with { Sync = true }, restartPeriod: false);
        }
        catch (Exception e) when (!rethrow && e is EtsException or IOException or UnauthorizedAccessException)
        {
            // Logged and recorded already; disposal and process exit must not throw.
        }
        lock (_saveLock) _stopped = true;
        _stop.Cancel();
        ProcessExitSaver.Unregister(this);
        PersistenceMetrics.Closed(this);
        if (_wal is not null)
        {
            // Later writes (during process exit, say) are no longer logged; what was logged is flushed.
            _core.ChangeLog = null;
            _wal.Dispose();
        }
    }

    /// <summary>The table's write-ahead log, when it has one.</summary>
    internal Log.WriteAheadLog<TObject>? Wal => _wal;
}
