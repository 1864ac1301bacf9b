using System.Buffers;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence.Log;

/// <summary>One log file and the records appended to it but not yet written out.</summary>
internal sealed class LogSegment : IDisposable
{
    private LogSegment(long seq, string path, Stream stream, byte[] header)
    {
        Seq = seq;
        Path = path;
        Stream = stream;
        Header = header;
    }

    /// <summary>The segment's header as written at the start of its file (a remote copy starts with it too).</summary>
    public byte[] Header { get; }

    /// <summary>Remote Interval: bytes written to the file but not yet shipped (guarded by the log's ship lock).</summary>
    public ArrayBufferWriter<byte> Unshipped { get; } = new();

    /// <summary>Bytes of this segment in the remote log, header included (changed by one shipment at a time); 0 before the first.</summary>
    public long ShippedLength { get; set; }

    public long Seq { get; }

    public string Path { get; }

    public Stream Stream { get; }

    /// <summary>Records appended but not yet written to the file (guarded by the log's append lock).</summary>
    public ArrayBufferWriter<byte> Pending { get; private set; } = new(64 << 10);

    private ArrayBufferWriter<byte> _spare = new(64 << 10);

    /// <summary>The sequence number of the last record appended to this segment.</summary>
    public long LastLsn { get; set; }

    /// <summary>Bytes were written to the file since its last fsync (guarded by the log's flush lock).</summary>
    public bool Unsynced { get; set; }

    /// <summary>Set when a snapshot made this segment unnecessary and its file was deleted.</summary>
    public bool Dropped { get; set; }

    /// <summary>Bytes of whole records (and the header) written to the file (guarded by the log's flush lock).</summary>
    public long WrittenLength { get; set; }

    /// <summary>Best effort: cuts a half-written tail off after a failed write (the file is not written again).</summary>
    public void TryCutTo(long length)
    {
        try
        {
            Stream.SetLength(length);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            // Recovery cuts a torn tail off the newest segment anyway; a snapshot soon drops this one.
        }
    }

    /// <summary>
    /// Creates a segment file with its header, synced so that its name survives a crash. A file already at
    /// that name can only be what a failed attempt of this owner left (numbers above the newest segment are
    /// never given out twice otherwise), so it is replaced; a failed attempt removes what it made.
    /// </summary>
    public static LogSegment Create(IFileSystem fs, string snapshotPath, LogSegmentHeader header)
    {
        var path = LogFormat.SegmentPath(snapshotPath, header.Seq);
        if (fs.Exists(path)) fs.Delete(path);
        var stream = fs.CreateNew(path, buffered: false);
        try
        {
            var bytes = header.Encode();
            stream.Write(bytes);
            stream.Flush();
            fs.Sync(stream);
            fs.SyncDirectory(System.IO.Path.GetDirectoryName(path) ?? ".");
            return new LogSegment(header.Seq, path, stream, bytes) { WrittenLength = bytes.Length };
        }
        catch
        {
            stream.Dispose();
            TryDelete(fs, path);
            throw;
        }
    }

    private static void TryDelete(IFileSystem fs, string path)
    {
        try
        {
            fs.Delete(path);
        }
        catch (IOException)
        {
            // The next attempt at this number replaces it.
        }
    }

    /// <summary>Takes the pending bytes (swapping in an empty buffer); call under the append lock.</summary>
    public ArrayBufferWriter<byte> TakePending()
    {
        var taken = Pending;
        Pending = _spare;
        _spare = taken;
        return taken;
    }

    public void Dispose() => Stream.Dispose();
}
