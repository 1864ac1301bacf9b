using System.Buffers;
using Microsoft.Extensions.Logging;

namespace PersistentEts.Persistence.Log;

internal sealed partial class WriteAheadLog<TObject>
{
    /// <summary>
    /// Makes every record up to <paramref name="lsn"/> written (and fsynced, when asked): group commit.
    /// One thread at a time flushes, outside the monitor, everything appended so far; threads that arrive
    /// meanwhile wait for the flush round in progress to end instead of starting flushes of their own, then
    /// either find their record covered or elect the next flusher, whose flush covers them all.
    /// </summary>
    private void Flush(long lsn, bool fsync)
    {
        while (true)
        {
            if ((fsync ? Volatile.Read(ref _durable) : Volatile.Read(ref _written)) >= lsn) return;
            ManualResetEventSlim round;
            lock (_flushLock)
            {
                // A record a durable snapshot covers is safe even if the log failed or closed since.
                if ((fsync ? _durable : _written) >= lsn) return;
                if (_failure is not null) throw Failed(_failure);
                if (_closed) throw new LogWriteException(_current.Path, "the log closed before the change was written; it was not acknowledged");
                if (!_flushing)
                {
                    _flushing = true;
                    break;
                }
                round = _round;
            }
            // Outside the monitor: when the round ends every waiter wakes at once and learns whether it is
            // covered without queueing for the monitor, so writers are back appending while the next fsync runs.
            round.Wait();
        }
        try
        {
            FlushOnce(fsync);
        }
        finally
        {
            lock (_flushLock)
            {
                _flushing = false;
                var ended = _round;
                _round = new ManualResetEventSlim(false, RoundSpins);
                ended.Set();
                Monitor.PulseAll(_flushLock);
            }
        }
        lock (_flushLock)
        {
            if ((fsync ? _durable : _written) < lsn && _failure is not null) throw Failed(_failure);
        }
    }

    /// <summary>Writes out everything appended so far, and fsyncs when asked. Only the elected flusher calls this.</summary>
    private void FlushOnce(bool fsync)
    {
        // Writers woken by the last flush are appending their next records right now: yield while new
        // ones keep arriving (a few microseconds), so that this fsync covers them too.
        if (fsync)
        {
            for (var i = 0; i < 8; i++)
            {
                var before = Volatile.Read(ref _appended);
                Thread.Yield();
                if (Volatile.Read(ref _appended) == before) break;
            }
        }
        var work = new List<(LogSegment Segment, ArrayBufferWriter<byte> Bytes)>(2);
        List<LogSegment> segments;
        long target;
        lock (_appendLock)
        {
            target = _appended;
            segments = [.. _retired, _current];
            foreach (var s in segments)
            {
                if (s.Pending.WrittenCount > 0) work.Add((s, s.TakePending()));
            }
        }
        var failed = (LogSegment?)null;
        try
        {
            foreach (var (segment, bytes) in work)
            {
                // A dropped segment's records are in a durable snapshot already.
                if (!segment.Dropped)
                {
                    failed = segment;
                    segment.Stream.Write(bytes.WrittenSpan);
                    segment.Stream.Flush();
                    segment.WrittenLength += bytes.WrittenCount;
                    segment.Unsynced = true;
                    failed = null;
                }
            }
            if (fsync)
            {
                // Every segment with bytes not yet fsynced, including ones written earlier without
                // fsync (None/Interval writes) and ones rotated out since.
                foreach (var segment in segments)
                {
                    if (segment.Dropped || !segment.Unsynced) continue;
                    _fs.Sync(segment.Stream);
                    segment.Unsynced = false;
                    Fsyncs++;
                    PersistenceMetrics.LogFsync(_tableName);
                }
            }
        }
        catch (IOException e)
        {
            // After a failed write or fsync the file's state is unknown: refuse every change until a
            // snapshot covers what is in memory and rotates to a fresh segment. Cut a half-written tail
            // off, so the segment stays readable if the process dies before that snapshot.
            failed?.TryCutTo(failed.WrittenLength);
            foreach (var (_, bytes) in work) bytes.ResetWrittenCount();
            lock (_flushLock)
            {
                _failure = e;
                lock (_appendLock) _failedSegment = _current.Seq;
            }
            _log.LogError(e, "Write-ahead log of {Path} failed; writes are refused until the next successful save", _snapshotPath);
            return;
        }
        // Remote Always: counted written only once shipped. Remote Interval: kept for the shipper.
        var shipped = AcknowledgeOnlyWhenShipped ? Ship(work) : Keep(work);
        foreach (var (_, bytes) in work) bytes.ResetWrittenCount();
        if (!shipped) return;
        lock (_flushLock)
        {
            _written = Math.Max(_written, target);
            if (fsync) _durable = Math.Max(_durable, target);
            if (work.Count > 0)
            {
                // The newest segment this flush wrote to, at its end: written in segment order, so every
                // record before the position is written too.
                var newest = work[^1].Segment;
                var end = new LogPosition(newest.Seq, newest.Dropped ? newest.ShippedLength : newest.WrittenLength);
                if (end > _position) _position = end;
            }
        }
    }

    /// <summary>Waits until no flush runs; the caller holds <see cref="_flushLock"/>.</summary>
    private void WaitForFlushLocked()
    {
        while (_flushing) Monitor.Wait(_flushLock);
    }

    private LogWriteException Failed(Exception e) =>
        new(_current.Path, $"the log could not be written ({e.Message}); changes are refused until a save of the table succeeds", e);

    /// <summary>
    /// Starts a new segment. Called at a snapshot's instant, under every stripe lock: changes before it are
    /// in the snapshot, changes after it go to the new segment. Returns the new segment's number.
    /// </summary>
    public long Rotate()
    {
        lock (_appendLock)
        {
            var next = LogSegment.Create(_fs, _snapshotPath, _segmentHeader with { Seq = _current.Seq + 1 });
            _retired.Add(_current);
            _current = next;
            return next.Seq;
        }
    }

    /// <summary>
    /// Deletes the segments before <paramref name="seq"/> once a snapshot that covers them is durable, and
    /// counts their records as durable (they are in the snapshot).
    /// </summary>
    public void DropBefore(long seq)
    {
        if (AcknowledgeOnlyWhenShipped)
        {
            // The remote log may still need the records of the segments about to go: ship them first. They
            // count as durable only once shipped, never for being in the local snapshot.
            long target;
            lock (_appendLock) target = _appended;
            try
            {
                Flush(target, fsync: true);
            }
            catch (EtsException)
            {
                // Recorded as the log's failure; their committers see it.
            }
        }
        lock (_flushLock)
        {
            WaitForFlushLocked(); // a flush may be writing to the segments about to close
            List<LogSegment> dropped;
            lock (_appendLock)
            {
                dropped = _retired.Where(s => s.Seq < seq).ToList();
                _retired.RemoveAll(s => s.Seq < seq);
            }
            foreach (var s in dropped)
            {
                s.Dropped = true;
                s.Dispose();
                if (AcknowledgeOnlyWhenShipped) continue;
                _written = Math.Max(_written, s.LastLsn);
                _durable = Math.Max(_durable, s.LastLsn);
            }
            // Delete every covered segment, including ones left by an earlier process or by an earlier
            // failed delete. A segment that cannot be deleted now is harmless: recovery skips segments the
            // snapshot covers, and the next rotation tries again.
            foreach (var (oldSeq, path) in LogFormat.FindSegments(_fs, _snapshotPath))
            {
                if (oldSeq >= seq) continue;
                try
                {
                    _fs.Delete(path);
                }
                catch (IOException e)
                {
                    _log.LogWarning(e, "Could not delete retired write-ahead log segment {Path}; will retry at the next snapshot", path);
                }
            }
            // Only a snapshot whose instant came after the failure holds everything in memory; an
            // older one may not hold the changes whose records were lost.
            if (_failure is not null && seq > _failedSegment) _failure = null;
        }
    }

    /// <summary>
    /// Writes (and, unless <see cref="LogSync.None"/>, fsyncs) everything appended, then closes the files.
    /// Committers still waiting return (their record is covered) or throw (it is not, so it was never
    /// acknowledged). Never throws: a failed flush is logged by the flush.
    /// </summary>
    public void Close()
    {
        _stop.Cancel();
        if (_current is null) return; // never started
        long target;
        lock (_appendLock) target = _appended;
        try
        {
            Flush(target, fsync: _sync != LogSync.None);
        }
        catch (EtsException)
        {
            // The waiting committers see the failure themselves.
        }
        ShipKeptAtClose();
        lock (_flushLock)
        {
            WaitForFlushLocked();
            lock (_appendLock)
            {
                _closed = true;
                foreach (var s in _retired) s.Dispose();
                _current.Dispose();
            }
            Monitor.PulseAll(_flushLock);
        }
    }
}
