using PersistentEts.Persistence.Log;

namespace PersistentEts.Persistence;

/// <summary>
/// Checks and repairs the write-ahead log segments of a table saved at a snapshot path, without the
/// application's types (the counterpart of <c>redis-check-aof</c>).
/// </summary>
internal static class WriteAheadLogFiles
{
    /// <summary>The state of one segment.</summary>
    /// <param name="Path">The segment file.</param>
    /// <param name="Sequence">Its number.</param>
    /// <param name="Records">Good records in it.</param>
    /// <param name="Bytes">Its size.</param>
    /// <param name="TornTailBytes">Bytes of an incomplete last record (cut off when the table opens), or 0.</param>
    /// <param name="ObjectType">The stored type its records hold, or null (segments before format 2, or a header never completed).</param>
    /// <param name="SchemaVersion">The application's schema version it was written at (0 before format 2).</param>
    /// <param name="Schema">The stored type's schema it recorded, or null.</param>
    public sealed record SegmentReport(string Path, long Sequence, long Records, long Bytes, long TornTailBytes,
        string? ObjectType = null, int SchemaVersion = 0, string? Schema = null);

    /// <summary>
    /// Reads every segment. Returns one report per segment; throws <see cref="LogDamagedException"/>
    /// (naming the file and offset) where a segment is damaged before its end.
    /// </summary>
    public static IReadOnlyList<SegmentReport> Check(string snapshotPath)
    {
        var full = Path.GetFullPath(snapshotPath);
        var segments = LogFormat.FindSegments(full);
        var reports = new List<SegmentReport>();
        for (var i = 0; i < segments.Count; i++)
        {
            var (seq, path) = segments[i];
            using var stream = IO.PhysicalFileSystem.Instance.OpenRead(path);
            Log.LogSegmentHeader? header = null;
            var end = LogReader.ReadSegment(stream, path, seq, i == segments.Count - 1, h =>
            {
                header = h;
                return RawMessagePackCodec.Instance;
            }, null);
            reports.Add(new SegmentReport(path, seq, end.Records, stream.Length, end.Torn ? stream.Length - end.GoodLength : 0,
                header?.ObjectType, header?.SchemaVersion ?? 0, header?.Schema));
        }
        return reports;
    }

    /// <summary>What <see cref="Repair"/> did.</summary>
    /// <param name="TruncatedFile">The segment cut at its last good record, or null if nothing was wrong.</param>
    /// <param name="TruncatedAt">Where it was cut.</param>
    /// <param name="BytesRemoved">Bytes removed from it.</param>
    /// <param name="SegmentsDeleted">Later segments deleted (they followed the damage, so cannot be replayed in order).</param>
    public sealed record RepairReport(string? TruncatedFile, long TruncatedAt, long BytesRemoved, IReadOnlyList<string> SegmentsDeleted);

    /// <summary>
    /// Truncates the log to its last good record: the first damaged segment is cut there and every later
    /// segment is deleted. Whatever was after the damage is lost; the table then opens with what is before it.
    /// </summary>
    public static RepairReport Repair(string snapshotPath)
    {
        var full = Path.GetFullPath(snapshotPath);
        var segments = LogFormat.FindSegments(full);
        for (var i = 0; i < segments.Count; i++)
        {
            var (seq, path) = segments[i];
            long length;
            long good;
            using (var stream = IO.PhysicalFileSystem.Instance.OpenRead(path))
            {
                length = stream.Length;
                try
                {
                    var end = LogReader.ReadSegment(stream, path, seq, isLast: true, static _ => RawMessagePackCodec.Instance, null);
                    if (!end.Torn) continue;
                    good = end.GoodLength;
                }
                catch (LogDamagedException e)
                {
                    good = e.Offset;
                }
            }
            var deleted = segments.Skip(i + 1).Select(s => s.Path).ToList();
            foreach (var d in deleted) File.Delete(d);
            if (good < Log.LogFormat.SegmentHeaderBytes)
            {
                File.Delete(path);
                return new RepairReport(path, 0, length, [.. deleted, path]);
            }
            IO.PhysicalFileSystem.Instance.Truncate(path, good);
            return new RepairReport(path, good, length - good, deleted);
        }
        return new RepairReport(null, 0, 0, []);
    }
}
