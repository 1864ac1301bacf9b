using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

public sealed class PersistenceTests : IDisposable
{
    public sealed record Row(int Id, string Name, long Count, byte[] Payload);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Row MakeRow(int i) => new(i, "name-" + i, 7L * i, [(byte)i, (byte)(i >> 8), 1, 2]);

    private static PersistentTableOptions Options(TableType type, TimeSpan? every = null) =>
        new() { Table = new TableOptions { Type = type }, PersistEvery = every ?? TimeSpan.FromHours(1) };

    [Theory]
    [InlineData(TableType.Set, false)]
    [InlineData(TableType.OrderedSet, true)]
    [InlineData(TableType.Bag, false)]
    [InlineData(TableType.DuplicateBag, true)]
    public void RoundTrip_100k_ComesBackEqual(TableType type, bool compress)
    {
        var path = _dir.File("t.pets");
        List<Row> expected;
        using (var t = PersistentTable.New("rt", path, (Row r) => r.Id, Options(type) with { Write = new SnapshotWriteOptions { Compress = compress } }))
        {
            t.Insert(Enumerable.Range(0, 100_000).Select(MakeRow));
            if (type.IsBag()) t.Insert(Enumerable.Range(0, 1_000).Select(i => MakeRow(i) with { Name = "second" }));
            expected = t.ToList();
        }
        using var back = PersistentTable.New("rt", path, (Row r) => r.Id, Options(type));
        Assert.Equal(expected.Count, back.Count);
        var actual = back.ToList();
        Assert.Equal(Canon(expected), Canon(actual));
        var info = Snapshot.ReadInfo(path);
        Assert.Equal(expected.Count, info.ObjectCount);
        Assert.Equal(type, info.Header.Type);
        Assert.Equal(compress, info.Header.Compressed);
    }

    private static IEnumerable<string> Canon(IEnumerable<Row> rows) =>
        rows.Select(r => $"{r.Id}|{r.Name}|{r.Count}|{Convert.ToHexString(r.Payload)}").Order();

    [Fact]
    public void Flush_SavesNow_AndSkipsWhenClean()
    {
        var path = _dir.File("f.pets");
        using var t = PersistentTable.New("f", path, (Row r) => r.Id, Options(TableType.Set));
        Assert.False(File.Exists(path));
        t.Insert(MakeRow(1));
        Assert.NotNull(t.Persistence!.Flush());
        Assert.True(File.Exists(path));
        var written = File.GetLastWriteTimeUtc(path);
        Assert.Null(t.Persistence.Flush()); // nothing changed: no save
        Assert.Equal(1, t.Persistence.SkippedSaves);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(1, Snapshot.ReadInfo(path).ObjectCount);
    }

    [Fact]
    public async Task PeriodicSave_HappensWithoutFlush()
    {
        var path = _dir.File("p.pets");
        using var t = PersistentTable.New("p", path, (Row r) => r.Id, Options(TableType.Set, TimeSpan.FromMilliseconds(50)));
        var saved = new TaskCompletionSource<SnapshotResult>();
        t.Persistence!.Saved += r => saved.TrySetResult(r);
        t.Insert(MakeRow(1));
        // Waits for the event, not for a time: the 30 s bound only stops a hung test.
        var result = await saved.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, result.Objects);
    }

    [Fact]
    public void Dispose_SavesTheLastChanges()
    {
        var path = _dir.File("d.pets");
        var t = PersistentTable.New("d", path, (Row r) => r.Id, Options(TableType.Set));
        t.Insert(MakeRow(1));
        t.Dispose();
        Assert.Equal(1, Snapshot.ReadInfo(path).ObjectCount);
    }

    [Fact]
    public void OwnerLifetimeCancelled_SavesAndDestroys()
    {
        var path = _dir.File("o.pets");
        using var cts = new CancellationTokenSource();
        var t = PersistentTable.New("o", path, (Row r) => r.Id, Options(TableType.Set), ownerLifetime: cts.Token);
        t.Insert(MakeRow(3));
        cts.Cancel();
        Assert.Throws<TableDestroyedException>(() => t.Lookup(3));
        using var back = PersistentTable.New("o", path, (Row r) => r.Id, Options(TableType.Set));
        Assert.Single(back.Lookup(3));
    }

    [Fact]
    public void DeleteTable_SavesThenDestroys()
    {
        var path = _dir.File("x.pets");
        var t = PersistentTable.New("x", path, (Row r) => r.Id, Options(TableType.Set));
        t.Insert(MakeRow(9));
        t.DeleteTable();
        Assert.Throws<TableDestroyedException>(() => t.Lookup(9));
        Assert.Equal(1, Snapshot.ReadInfo(path).ObjectCount);
    }

    [Fact]
    public void GiveAway_KeepsPersisting_UnderTheNewOwner()
    {
        var path = _dir.File("g.pets");
        var t = PersistentTable.New("g", path, (Row r) => r.Id, Options(TableType.Set));
        var next = t.GiveAway();
        t.Dispose(); // no longer the owner: nothing happens
        next.Insert(MakeRow(5));
        next.Dispose();
        using var back = PersistentTable.New("g", path, (Row r) => r.Id, Options(TableType.Set));
        Assert.Single(back.Lookup(5));
    }

    [Fact]
    public void Reopen_WithAnotherType_IsRefusedNamingBothValues()
    {
        var path = _dir.File("m.pets");
        using (var t = PersistentTable.New("m", path, (Row r) => r.Id, Options(TableType.Set))) t.Insert(MakeRow(1));
        var e = Assert.Throws<SnapshotMismatchException>(() => PersistentTable.New("m", path, (Row r) => r.Id, Options(TableType.Bag)));
        Assert.Equal("type", e.Option);
        Assert.Contains("'set'", e.Message);
        Assert.Contains("'bag'", e.Message);
        Assert.Contains(path, e.Message);
        var k = Assert.Throws<SnapshotMismatchException>(() => PersistentTable.New("m", path, (Row r) => r.Count, Options(TableType.Set)));
        Assert.Equal("key type", k.Option);
    }

    [Fact]
    public void Reopen_WithTheKeySelectorsParameterRenamed_Works_ButAnotherKeyIsRefusedNamingBoth()
    {
        var path = _dir.File("key.pets");
        using (var t = PersistentTable.New("key", path, (Row r) => r.Id, Options(TableType.Set))) t.Insert(MakeRow(1));
        using (var renamed = PersistentTable.New("key", path, (Row row) => row.Id, Options(TableType.Set)))
            Assert.Single(renamed.Lookup(1));
        using (var parenthesized = PersistentTable.New("key", path, (Row x) => (x.Id), Options(TableType.Set)))
            Assert.Single(parenthesized.Lookup(1));
        // Same key type, another member: a real change of key, refused naming both selectors.
        var e = Assert.Throws<SnapshotMismatchException>(() => PersistentTable.New("key", path, (Row x) => x.Id + 1, Options(TableType.Set)));
        Assert.Equal("key", e.Option);
        Assert.Contains("r => r.Id", e.Message);
        Assert.Contains("x => (x.Id + 1)", e.Message);
    }

    [Theory]
    [InlineData("r => r.Id", "x => x.Id", true)]
    [InlineData("r => new <>f__AnonymousType0`2(A = r.A, B = r.B)", "row => new <>f__AnonymousType0`2(A = row.A, B = row.B)", true)]
    [InlineData("r => r.r", "x => x.r", true)]   // a member named like the parameter is a member, not the parameter
    [InlineData("r => r.Id", "r => r.Name", false)]
    [InlineData("r => r.x", "x => x.x", true)]
    [InlineData("r => r.Id", "x => r.Id", false)]  // 'r' there is something else than the parameter
    public void KeySelectors_CompareByStructure(string a, string b, bool same) =>
        Assert.Equal(same, KeyIdentity.Same(a, b));

    [Fact]
    public void Reopen_WithOnlyPerformanceOptionsChanged_Works()
    {
        var path = _dir.File("perf.pets");
        using (var t = PersistentTable.New("perf", path, (Row r) => r.Id, Options(TableType.Set))) t.Insert(MakeRow(1));
        var changed = new PersistentTableOptions
        {
            Table = new TableOptions { ReadConcurrency = true, WriteConcurrency = true, DecentralizedCounters = true, Compressed = true, LockStripes = 64 },
            PersistEvery = TimeSpan.FromMinutes(3),
            Write = new SnapshotWriteOptions { Compress = true },
        };
        using var back = PersistentTable.New("perf", path, (Row r) => r.Id, changed);
        Assert.Single(back.Lookup(1));
    }

    [Fact]
    public void MissingDirectory_IsATypedErrorNamingIt()
    {
        var path = Path.Combine(_dir.Path, "no", "such", "t.pets");
        var e = Assert.Throws<SnapshotFileException>(() => PersistentTable.New("md", path, (Row r) => r.Id));
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [InlineData(FaultPoint.Write)]
    [InlineData(FaultPoint.Sync)]
    [InlineData(FaultPoint.Replace)]
    [InlineData(FaultPoint.SyncDirectory)]
    public void FailedSave_LeavesTheLastGoodFile_AndIsReported_AndTheLoopRetries(FaultPoint point)
    {
        var path = _dir.File("fail.pets");
        var fs = new FaultyFileSystem();
        using var t = PersistentTable.Open("fail", path, (Row r) => r.Id, "r => r.Id", Options(TableType.Set),
            MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
        t.Insert(MakeRow(1));
        t.Persistence!.Flush();
        var good = File.ReadAllBytes(path);
        Exception? reported = null;
        t.Persistence.SaveFailed += e => reported = e;
        fs.FailAt = point;
        t.Insert(MakeRow(2));
        var e = Assert.Throws<SnapshotFileException>(() => t.Persistence.Flush());
        Assert.Contains(path, e.Message);
        Assert.Same(e, reported);
        Assert.Same(e, t.Persistence.LastError);
        if (point != FaultPoint.SyncDirectory) Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
        fs.FailAt = FaultPoint.None;
        Assert.NotNull(t.Persistence.Flush()); // the next attempt succeeds: still dirty, so it saves
        Assert.Null(t.Persistence.LastError);
        Assert.Equal(2, Snapshot.ReadInfo(path).ObjectCount);
    }

    [Fact]
    public void Tab2File_File2Tab_TabfileInfo()
    {
        var path = _dir.File("tab.pets");
        using var t = Ets.New("tab", (Row r) => r.Id, new TableOptions { Type = TableType.OrderedSet, NamedTable = true });
        t.Insert(Enumerable.Range(0, 1_000).Select(MakeRow));
        var result = Snapshot.Save(t, path);
        Assert.Equal(1_000, result.Objects);
        var info = Snapshot.ReadInfo(path);
        Assert.Equal("tab", info.Header.Name);
        Assert.Equal("r => r.Id", info.Header.Key);
        Assert.True(info.Header.Checksums);
        t.Rename("tab-old");
        using var loaded = Snapshot.Load(path, (Row r) => r.Id);
        Assert.Equal("tab", loaded.Name);
        Assert.Equal(TableType.OrderedSet, loaded.Type);
        Assert.Equal(1_000, loaded.Count);
        Assert.Equal(1_000, Snapshot.Verify(path).ObjectCount);
    }

    [Fact]
    public void KeepPrevious_KeepsOlderSnapshots()
    {
        var path = _dir.File("h.pets");
        using var t = Ets.New("h", (Row r) => r.Id);
        for (var i = 1; i <= 3; i++)
        {
            t.Insert(MakeRow(i));
            Snapshot.Save(t, path, new SnapshotWriteOptions { KeepPrevious = 2 });
        }
        Assert.Equal(3, Snapshot.ReadInfo(path).ObjectCount);
        Assert.Equal(2, Snapshot.ReadInfo(path + ".1").ObjectCount);
        Assert.Equal(1, Snapshot.ReadInfo(path + ".2").ObjectCount);
    }
}
