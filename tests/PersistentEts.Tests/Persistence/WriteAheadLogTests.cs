using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

public sealed class WriteAheadLogTests : IDisposable
{
    public sealed record Row(int Id, string Name, long Count);

    private static readonly CounterField<Row> Count = new(r => r.Count, (r, v) => r with { Count = v });

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static PersistentTableOptions Logged(LogSync sync, TableType type = TableType.Set) => new()
    {
        Table = new TableOptions { Type = type },
        PersistEvery = TimeSpan.FromHours(1),
        Durability = DurabilityMode.Log,
        LogSync = sync,
        LogSyncInterval = TimeSpan.FromMilliseconds(20),
    };

    private EtsTable<int, Row> Open(string path, PersistentTableOptions options) =>
        PersistentTable.New("wal", path, (Row r) => r.Id, options);

    /// <summary>Ends the table as a crash would after its last log write: no final snapshot.</summary>
    private static void Abandon(EtsTable<int, Row> table)
    {
        table.Persistence!.Abandon();
        table.Dispose();
    }

    private static string Canon(EtsTable<int, Row> t) => string.Join(";", t.ToList().OrderBy(r => r.Id).ThenBy(r => r.Name).Select(r => $"{r.Id}:{r.Name}:{r.Count}"));

    [Theory]
    [InlineData(LogSync.Always, TableType.Set)]
    [InlineData(LogSync.Interval, TableType.OrderedSet)]
    [InlineData(LogSync.None, TableType.Bag)]
    [InlineData(LogSync.Always, TableType.DuplicateBag)]
    public void EveryChange_IsRecoveredFromTheLog_WithoutAFinalSnapshot(LogSync sync, TableType type)
    {
        var path = _dir.File("t.pets");
        var t = Open(path, Logged(sync, type));
        t.Insert(Enumerable.Range(0, 500).Select(i => new Row(i, "a", i)));
        t.Persistence!.Flush(); // a snapshot in the middle: later changes live only in the log
        t.Insert(Enumerable.Range(500, 200).Select(i => new Row(i, "b", i)));
        t.Insert(new Row(3, "c", 3));
        t.Delete(10);
        t.Take(11);
        t.DeleteObject(new Row(12, "a", 12));
        t.SelectDelete(r => r.Id is >= 600 and < 620);
        if (!type.IsBag())
        {
            t.UpdateCounter(20, Count, 5);
            t.UpdateElement(21, r => r with { Name = "u" });
            t.SelectReplace(r => r.Id is >= 30 and < 40, r => r with { Name = "r" });
        }
        var expected = Canon(t);
        Abandon(t);
        using var back = Open(path, Logged(sync, type));
        Assert.Equal(expected, Canon(back));
    }

    [Fact]
    public void Clear_IsLoggedAndReplayed()
    {
        var path = _dir.File("c.pets");
        var t = Open(path, Logged(LogSync.Always));
        t.Insert(Enumerable.Range(0, 10).Select(i => new Row(i, "a", i)));
        t.DeleteAllObjects();
        t.Insert(new Row(99, "z", 0));
        Abandon(t);
        using var back = Open(path, Logged(LogSync.Always));
        Assert.Equal("99:z:0", Canon(back));
    }

    [Fact]
    public void Snapshot_RotatesTheLog_AndRetiresCoveredSegments()
    {
        var path = _dir.File("r.pets");
        using var t = Open(path, Logged(LogSync.Always));
        t.Insert(new Row(1, "a", 1));
        var before = WriteAheadLogFiles.Check(path);
        Assert.Single(before);
        Assert.Equal(1, before[0].Records);
        t.Persistence!.Flush();
        var after = WriteAheadLogFiles.Check(path);
        Assert.Single(after); // the old segment went once the snapshot was durable
        Assert.True(after[0].Sequence > before[0].Sequence);
        Assert.Equal(0, after[0].Records);
        Assert.Equal(after[0].Sequence, Snapshot.ReadInfo(path).Header.LogSegment);
    }

    [Fact]
    public void BatchInsert_IsOneRecord()
    {
        var path = _dir.File("b.pets");
        using var t = Open(path, Logged(LogSync.Always));
        t.Insert(Enumerable.Range(0, 50).Select(i => new Row(i, "a", i)));
        Assert.Equal(1, WriteAheadLogFiles.Check(path)[0].Records);
    }

    /// <summary>Writes 10 single-row records to the log, abandons the table, and returns the segment file and record ends.</summary>
    private (string Segment, long[] RecordEnds) TenRecords(string path)
    {
        var t = Open(path, Logged(LogSync.Always));
        var ends = new List<long>();
        var segment = WriteAheadLogFiles.Check(path)[0].Path;
        for (var i = 0; i < 10; i++)
        {
            t.Insert(new Row(i, "n" + i, i));
            ends.Add(new FileInfo(segment).Length);
        }
        Abandon(t);
        return (segment, [.. ends]);
    }

    [Fact]
    public void TornTail_AtEveryByteOfTheLastThreeRecords_RecoversExactlyTheCompleteRecords()
    {
        var path = _dir.File("torn.pets");
        var (segment, ends) = TenRecords(path);
        var original = File.ReadAllBytes(segment);
        var cases = 0;
        for (var cut = ends[6]; cut < ends[9]; cut++)
        {
            File.WriteAllBytes(segment, original[..(int)cut]);
            var complete = ends.Count(e => e <= cut);
            using (var t = Open(path, Logged(LogSync.Always)))
            {
                Assert.Equal(complete, t.Count);
                Assert.All(Enumerable.Range(0, complete), i => Assert.True(t.Contains(i)));
                Assert.Equal(ends.Where(e => e <= cut).Max(), new FileInfo(segment).Length); // the torn tail was cut off
                t.Persistence!.Abandon();
            }
            // Reopening created a new segment and may have cut the torn one; reset for the next case.
            foreach (var f in Directory.GetFiles(_dir.Path)) File.Delete(f);
            cases++;
        }
        Assert.Equal((int)(ends[9] - ends[6]), cases);
    }

    [Fact]
    public void DamageInTheMiddle_IsRefusedNamingFileAndOffset_AndRepairOpensTheGoodPrefix()
    {
        var path = _dir.File("mid.pets");
        var (segment, ends) = TenRecords(path);
        var bytes = File.ReadAllBytes(segment);
        var at = (int)ends[4] + 10; // inside record 5 (0-based), with five more after it
        bytes[at] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);
        var e = Assert.Throws<LogDamagedException>(() => Open(path, Logged(LogSync.Always)));
        Assert.Equal(segment, e.FilePath);
        Assert.Equal(ends[4], e.Offset);
        Assert.Contains(segment, e.Message);
        Assert.Throws<LogDamagedException>(() => WriteAheadLogFiles.Check(path));

        var report = WriteAheadLogFiles.Repair(path);
        Assert.Equal(segment, report.TruncatedFile);
        Assert.Equal(ends[4], report.TruncatedAt);
        using var t = Open(path, Logged(LogSync.Always));
        Assert.Equal(5, t.Count);
    }
}
