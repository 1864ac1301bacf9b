namespace PersistentEts.Persistence.Log;

/// <summary>Constants of the write-ahead log format (see docs/durability.md).</summary>
internal static class LogFormat
{
    /// <summary>First 8 bytes of a segment.</summary>
    public static ReadOnlySpan<byte> Magic => [(byte)'P', (byte)'E', (byte)'T', (byte)'S', (byte)'L', (byte)'O', (byte)'G', 0x1A];

    /// <summary>magic + u64 segment number + u32 CRC-32 of the 16 bytes before it.</summary>
    public const int SegmentHeaderBytes = 8 + 8 + 4;

    /// <summary>u32 payload length + u32 CRC-32 of the payload.</summary>
    public const int RecordHeaderBytes = 8;

    /// <summary>Upper bound of a record's payload (1 GiB, as a snapshot block); a larger change is refused before it is applied, a larger claim in a file is damage.</summary>
    public const int MaxRecordBytes = 1 << 30;

    public const byte Put = (byte)'P';
    public const byte Remove = (byte)'D';
    public const byte Clear = (byte)'C';
    public const byte Batch = (byte)'B';

    /// <summary>The file of segment <paramref name="seq"/> of the table saved at <paramref name="snapshotPath"/>.</summary>
    public static string SegmentPath(string snapshotPath, long seq) => $"{snapshotPath}.{seq:D12}.wal";

    /// <summary>The segments that exist for a snapshot path, in order.</summary>
    public static IReadOnlyList<(long Seq, string Path)> FindSegments(string snapshotPath) =>
        FindSegments(IO.PhysicalFileSystem.Instance, snapshotPath);

    /// <summary>The segments that exist for a snapshot path, in order, as <paramref name="fs"/> sees them.</summary>
    public static IReadOnlyList<(long Seq, string Path)> FindSegments(IO.IFileSystem fs, string snapshotPath)
    {
        var dir = Path.GetDirectoryName(snapshotPath) ?? ".";
        var prefix = Path.GetFileName(snapshotPath) + ".";
        var found = new List<(long, string)>();
        foreach (var file in fs.EnumerateFiles(dir, prefix + "*.wal"))
        {
            var middle = Path.GetFileName(file)[prefix.Length..^4];
            if (middle.Length == 12 && long.TryParse(middle, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                found.Add((seq, file));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }
}
