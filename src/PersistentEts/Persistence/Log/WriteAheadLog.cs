using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence.Log;

/// <summary>
/// The write-ahead log of one table: records appended under the table's stripe locks, written out and
/// fsynced by whichever committing thread gets there first (group commit), in segments that snapshots
/// rotate and retire.
/// </summary>
internal sealed partial class WriteAheadLog<TObject> : Tables.IChangeLog<TObject>
{
    private readonly string _snapshotPath;
    private readonly IObjectCodec<TObject> _codec;
    private readonly LogSync _sync;
    private readonly IFileSystem _fs;
    private readonly ILogger _log;

    // Appends: record bytes into the current segment's pending buffer. Held only for a memory copy.
    private readonly object _appendLock = new();
    // Flushes: writing pending bytes out and fsyncing. One flusher at a time; the others find their
    // record already covered when they get the lock (group commit).
    private readonly object _flushLock = new();

    private LogSegment _current = null!;           // set by Start; guarded by _appendLock
    private readonly List<LogSegment> _retired = []; // rotated out, not yet dropped; guarded by _appendLock
    private long _appended;                          // last sequence number handed out; guarded by _appendLock
    // Guarded by _flushLock (read without it only as a fast-path hint):
    private long _written;                           // records up to here are in the operating system
    private long _durable;                           // records up to here are fsynced
    private bool _flushing;                          // a flusher is writing outside the lock
    private LogPosition _position;                   // just past the last record counted written (in _written)
    // Set when the flush in progress ends, then replaced (under _flushLock). Never disposed: nothing takes
    // its wait handle, so it holds no kernel object.
    private ManualResetEventSlim _round = new(false, RoundSpins);

    // How long a writer waiting for a flush round spins (mostly yielding the processor) before it sleeps
    // in the kernel: meant to outlast a fast fsync (this machine's take 200–300 µs), so that a waiter sees
    // the round end without a sleep and a wake-up, which every waiter of every round pays otherwise. On a
    // slow disk it sleeps as before, after yielding for a while. Whole-process benchmark, `--only log`,
    // alternating: 32 writers' writes per second ÷ fsyncs per second 9.5–12.0 with the default of 35
    // spins (eight runs), 12.5–17.3 with 200 (five), 12.2 and 12.5 with 500; with no spinning, 5.5–6.1.
    private const int RoundSpins = 200;

    // A failed write, fsync or segment creation: sticky until a snapshot covers everything in memory and
    // a fresh segment takes over (DropBefore). Volatile: writers read it without a lock to refuse early.
    private volatile Exception? _failure;
    private long _failedSegment;                     // the segment being written when _failure happened (under _flushLock)
    private bool _closed;                            // Dispose ran: nothing more is appended or written

    private readonly CancellationTokenSource _stop = new();
    private Task? _intervalLoop;

    [ThreadStatic] private static object? t_pendingLog;
    [ThreadStatic] private static long t_pendingLsn;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_payload;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_batch;
    [ThreadStatic] private static int t_batchCount;
    [ThreadStatic] private static int t_batchDepth;

    private readonly string _tableName;

    private readonly TimeSpan _interval;

    /// <summary>What every segment of this log says about its records; each new segment gets its own number.</summary>
    private readonly LogSegmentHeader _segmentHeader;

    /// <summary>
    /// A log that takes no records until <see cref="Start"/>: the table is built with it, then loaded. Every
    /// segment starts with <paramref name="segmentHeader"/> (numbered), so a later version of the code knows
    /// what it replays.
    /// </summary>
    public WriteAheadLog(string tableName, string snapshotPath, IObjectCodec<TObject> codec, LogSync sync, TimeSpan interval, IFileSystem fs, ILogger log,
        LogSegmentHeader segmentHeader)
    {
        _segmentHeader = segmentHeader;
        _tableName = tableName;
        _snapshotPath = snapshotPath;
        _codec = codec;
        _sync = sync;
        _interval = interval;
        _fs = fs;
        _log = log;
    }

    /// <summary>Creates the first segment, numbered <paramref name="firstSeq"/>, once the table is loaded.</summary>
    public void Start(long firstSeq)
    {
        _current = LogSegment.Create(_fs, _snapshotPath, _segmentHeader with { Seq = firstSeq });
        if (_sync == LogSync.Interval) _intervalLoop = Task.Run(() => IntervalLoop(_interval));
        if (_remote is not null && _remoteSync == LogSync.Interval) _shipLoop = Task.Run(ShipLoop);
    }

    /// <summary>Whether the log failed and refuses writes until the next successful save.</summary>
    public Exception? Failure => _failure;

    /// <summary>The segment new records go to.</summary>
    public long CurrentSeq
    {
        get
        {
            lock (_appendLock) return _current.Seq;
        }
    }

    /// <summary>
    /// Just past the last record counted written: once a write's commit has returned, its record is at or
    /// before this position (with remote <see cref="LogSync.Always"/>, in the remote store too).
    /// </summary>
    public LogPosition Position
    {
        get
        {
            lock (_flushLock) return _position;
        }
    }

    /// <summary>Number of fsyncs made (for metrics and the benchmark).</summary>
    public long Fsyncs { get; private set; }

    public void Put(ReadOnlySpan<TObject> objects)
    {
        RefuseIfFailed();
        var payload = Payload();
        try
        {
            LogRecordWriter.Put(payload, _codec, objects);
        }
        catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
        {
            throw CannotEncode(e);
        }
        Append(payload);
    }

    public void Remove(TObject anyObjectOfKey)
    {
        RefuseIfFailed();
        var payload = Payload();
        try
        {
            LogRecordWriter.Remove(payload, _codec, anyObjectOfKey);
        }
        catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
        {
            throw CannotEncode(e);
        }
        Append(payload);
    }

    public void Clear()
    {
        RefuseIfFailed();
        var payload = Payload();
        LogRecordWriter.Clear(payload);
        Append(payload);
    }

    public void BeginBatch()
    {
        if (t_batchDepth++ > 0) return;
        (t_batch ??= new ArrayBufferWriter<byte>(4096)).ResetWrittenCount();
        t_batchCount = 0;
    }

    public void EndBatch()
    {
        if (--t_batchDepth > 0) return;
        var batch = t_batch!;
        if (t_batchCount == 0) return;
        var payload = Payload();
        LogRecordWriter.Batch(payload, t_batchCount, batch.WrittenSpan);
        AppendRecord(payload.WrittenSpan);
    }

    public void AbortBatch()
    {
        t_batchDepth = 0;
        t_batchCount = 0;
        t_batch?.ResetWrittenCount();
    }

    /// <summary>After a failure the log's file is in doubt: refuse changes before they are applied.</summary>
    private void RefuseIfFailed()
    {
        if (_failure is { } failure) throw Failed(failure);
    }

    private LogWriteException CannotEncode(Exception e) =>
        new(CurrentPath, $"a change to a {typeof(TObject).Name} cannot be encoded by codec '{_codec.Id}' ({e.Message}); the table is unchanged", e);

    private string CurrentPath => Volatile.Read(ref _current)?.Path ?? LogFormat.SegmentPath(_snapshotPath, 0);

    private static ArrayBufferWriter<byte> Payload()
    {
        var p = t_payload ??= new ArrayBufferWriter<byte>(1024);
        p.ResetWrittenCount();
        return p;
    }

    /// <summary>Appends a record, or adds it to this thread's open batch.</summary>
    private void Append(ArrayBufferWriter<byte> payload)
    {
        if (t_batchDepth > 0)
        {
            var batch = t_batch!;
            if ((long)batch.WrittenCount + 4 + payload.WrittenCount > LogFormat.MaxRecordBytes)
                throw new LogWriteException(CurrentPath, $"a batch encodes to more than a log record holds ({LogFormat.MaxRecordBytes} bytes); the table is unchanged");
            BinaryPrimitives.WriteInt32LittleEndian(batch.GetSpan(4), payload.WrittenCount);
            batch.Advance(4);
            batch.Write(payload.WrittenSpan);
            t_batchCount++;
            return;
        }
        AppendRecord(payload.WrittenSpan);
    }

    private void AppendRecord(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > LogFormat.MaxRecordBytes)
            throw new LogWriteException(CurrentPath, $"a change encodes to {payload.Length} bytes, more than a log record holds ({LogFormat.MaxRecordBytes}); the table is unchanged");
        lock (_appendLock)
        {
            if (_closed) throw new LogWriteException(_current.Path, "the log is closed (its table's owner ended); the table is unchanged");
            var pending = _current.Pending;
            var head = pending.GetSpan(LogFormat.RecordHeaderBytes);
            BinaryPrimitives.WriteInt32LittleEndian(head, payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], Crc32.HashToUInt32(payload));
            pending.Advance(LogFormat.RecordHeaderBytes);
            pending.Write(payload);
            _current.LastLsn = ++_appended;
            t_pendingLog = this;
            t_pendingLsn = _appended;
        }
    }

    public void Commit()
    {
        if (!ReferenceEquals(t_pendingLog, this)) return;
        var lsn = t_pendingLsn;
        t_pendingLog = null;
        Flush(lsn, fsync: _sync == LogSync.Always);
    }

    private async Task IntervalLoop(TimeSpan interval)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                long target;
                lock (_appendLock) target = _appended;
                Flush(target, fsync: true);
            }
            catch (EtsException)
            {
                // Recorded as the log's failure and logged; writers see it on their next commit.
            }
        }
    }
}
