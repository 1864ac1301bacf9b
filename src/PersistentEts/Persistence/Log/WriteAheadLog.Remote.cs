using System.Buffers;
using Microsoft.Extensions.Logging;

namespace PersistentEts.Persistence.Log;

/// <summary>The log's copy beyond the machine: each remote segment is byte for byte its local file.</summary>
internal sealed partial class WriteAheadLog<TObject>
{
    /// <summary>Where records also go beyond the machine; set before <see cref="Start"/>, if ever.</summary>
    private IRemoteLog? _remote;

    /// <summary>
    /// When records reach <see cref="_remote"/>: <see cref="LogSync.Always"/>, within the flush that
    /// acknowledges them; <see cref="LogSync.Interval"/>, by the shipper every <see cref="_shipEvery"/>;
    /// <see cref="LogSync.None"/>, never (the store gets snapshots only).
    /// </summary>
    private LogSync _remoteSync;

    private TimeSpan _shipEvery;
    private Task? _shipLoop;

    // Remote Interval: segments with bytes written locally but not yet shipped, in segment order, each
    // with its bytes in LogSegment.Unshipped. Under _shipLock, which FlushOnce takes only to add to them.
    private readonly object _shipLock = new();
    private readonly List<LogSegment> _unshipped = [];

    // Only one shipment runs at a time (the shipper's tick, or the close's last one), so bytes go in order.
    private readonly object _shippingLock = new();

    /// <summary>Sends records to <paramref name="remote"/> as well, as <paramref name="sync"/> says. Before <see cref="Start"/>.</summary>
    public void ShipTo(IRemoteLog remote, LogSync sync, TimeSpan every)
    {
        _remote = remote;
        _remoteSync = sync;
        _shipEvery = every;
    }

    /// <summary>Records count as written only once the store has them (remote Always).</summary>
    private bool AcknowledgeOnlyWhenShipped => _remote is not null && _remoteSync == LogSync.Always;

    /// <summary>
    /// Remote Always: ships what this flush wrote, segments in order, a dropped one too (its local file went
    /// with a local snapshot, but the remote copy may still need its records). False when the store failed:
    /// the log then fails as on a local write error, so nothing the store lacks is acknowledged.
    /// </summary>
    private bool Ship(List<(LogSegment Segment, ArrayBufferWriter<byte> Bytes)> work)
    {
        LogSegment? shipping = null;
        try
        {
            foreach (var (segment, bytes) in work)
            {
                shipping = segment;
                ShipSegment(segment, bytes.WrittenMemory);
            }
            return true;
        }
        catch (EtsException e)
        {
            lock (_flushLock)
            {
                _failure = e;
                lock (_appendLock) _failedSegment = _current.Seq;
            }
            _log.LogError(e, "Shipping the write-ahead log of {Path} to segment {Seq} of the remote store failed; writes are refused until the next successful save",
                _snapshotPath, shipping?.Seq);
            return false;
        }
    }

    /// <summary>Appends one segment's bytes to its remote copy; the first shipment of a segment starts with its header.</summary>
    private void ShipSegment(LogSegment segment, ReadOnlyMemory<byte> bytes)
    {
        var payload = bytes;
        if (segment.ShippedLength == 0)
        {
            var first = new byte[segment.Header.Length + bytes.Length];
            segment.Header.CopyTo(first, 0);
            bytes.CopyTo(first.AsMemory(segment.Header.Length));
            payload = first;
        }
        _remote!.Ship(segment.Seq, segment.ShippedLength, payload);
        segment.ShippedLength += payload.Length;
    }

    /// <summary>Remote Interval: keeps what this flush wrote for the shipper. Remote None or no store: nothing. Always true.</summary>
    private bool Keep(List<(LogSegment Segment, ArrayBufferWriter<byte> Bytes)> work)
    {
        if (_remote is null || _remoteSync != LogSync.Interval) return true;
        lock (_shipLock)
        {
            foreach (var (segment, bytes) in work)
            {
                if (segment.Unshipped.WrittenCount == 0) _unshipped.Add(segment);
                segment.Unshipped.Write(bytes.WrittenSpan);
            }
        }
        return true;
    }

    private async Task ShipLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_shipEvery, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            ShipKept();
        }
    }

    /// <summary>The close ships what is left, once; what the store refuses stays unshipped (the table's next owner restores from the store as it is).</summary>
    private void ShipKeptAtClose()
    {
        if (_remote is not null && _remoteSync == LogSync.Interval) ShipKept();
    }

    /// <summary>
    /// Ships the kept bytes in order. On a failure the rest stays kept, to be shipped at the same offsets at
    /// the next tick (appends are conditional on the offset, so none lands twice): the remote log stays a
    /// prefix of the local one, behind by at most the ticks the store was away.
    /// </summary>
    private void ShipKept()
    {
        lock (_shippingLock)
        {
            List<(LogSegment Segment, byte[] Bytes)> batch;
            lock (_shipLock)
            {
                batch = [.. _unshipped.Select(s => (s, s.Unshipped.WrittenSpan.ToArray()))];
                foreach (var s in _unshipped) s.Unshipped.ResetWrittenCount();
                _unshipped.Clear();
            }
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    ShipSegment(batch[i].Segment, batch[i].Bytes);
                }
                catch (EtsException e)
                {
                    _log.LogWarning(e, "Shipping the write-ahead log of {Path} to the remote store failed; it is retried at the next tick", _snapshotPath);
                    Requeue(batch.Skip(i));
                    return;
                }
            }
        }
    }

    /// <summary>Puts bytes that did not ship back in front of what was kept since.</summary>
    private void Requeue(IEnumerable<(LogSegment Segment, byte[] Bytes)> rest)
    {
        lock (_shipLock)
        {
            var back = rest.ToList();
            foreach (var (segment, bytes) in back)
            {
                var since = segment.Unshipped.WrittenSpan.ToArray();
                segment.Unshipped.ResetWrittenCount();
                segment.Unshipped.Write(bytes);
                segment.Unshipped.Write(since);
            }
            var later = _unshipped.Where(s => back.All(b => b.Segment != s)).ToList();
            _unshipped.Clear();
            _unshipped.AddRange(back.Select(b => b.Segment));
            _unshipped.AddRange(later);
        }
    }
}
