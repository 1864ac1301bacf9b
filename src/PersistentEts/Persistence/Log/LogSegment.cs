using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence.Log;

/// <summary>One log file and the records appended to it but not yet written out.</summary>
internal sealed class LogSegment : IDisposable
{
    private LogSegment(long seq, string path, Stream stream)
    {
        Seq = seq;
        Path = path;
        Stream = stream;
    }

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

    /// <summary>Creates a segment file with its header, synced so that its name survives a crash.</summary>
    public static LogSegment Create(IFileSystem fs, string snapshotPath, long seq)
    {
        var path = LogFormat.SegmentPath(snapshotPath, seq);
        var stream = fs.CreateNew(path);
        try
        {
            Span<byte> header = stackalloc byte[LogFormat.SegmentHeaderBytes];
            LogFormat.Magic.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], seq);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], Crc32.HashToUInt32(header[..16]));
            stream.Write(header);
            stream.Flush();
            fs.Sync(stream);
            fs.SyncDirectory(System.IO.Path.GetDirectoryName(path) ?? ".");
            return new LogSegment(seq, path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
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
