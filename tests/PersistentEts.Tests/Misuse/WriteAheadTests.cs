using PersistentEts.Persistence;
using PersistentEts.Tests.Reliability;

namespace PersistentEts.Tests.Misuse;

/// <summary>Write ahead, then apply: a change that cannot be logged leaves the table as it was.</summary>
[Collection(nameof(MisuseCollection))]
public sealed class WriteAheadTests : IDisposable
{
    /// <summary>The default codec, failing (as a codec does on a value it cannot handle) for rows named "bad".</summary>
    private sealed class PickyCodec : IObjectCodec<Row>
    {
        public string Id => MessagePackObjectCodec<Row>.Instance.Id;

        public void Write(System.Buffers.IBufferWriter<byte> output, Row value)
        {
            if (value.Name == "bad") throw new InvalidOperationException("this value cannot be encoded");
            MessagePackObjectCodec<Row>.Instance.Write(output, value);
        }

        public Row Read(ReadOnlyMemory<byte> input, out int bytesRead) => MessagePackObjectCodec<Row>.Instance.Read(input, out bytesRead);
    }

    private static readonly PickyCodec Picky = new();

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly PersistentTableOptions Logged = new() { PersistEvery = TimeSpan.FromHours(1), Durability = DurabilityMode.Log };

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public void UnencodableChange_IsRefusedBeforeTheTableChanges_SingleAndBatch(TableType type)
    {
        var path = _dir.File("h.pets");
        var options = Logged with { Table = new TableOptions { Type = type } };
        using (var t = PersistentTable.New("h", path, (Row r) => r.Id, options, Picky))
        {
            t.Insert(new Row(1, "good"));
            var e = Assert.Throws<LogWriteException>(() => t.Insert(new Row(2, "bad")));
            Assert.Contains("cannot be encoded", e.Message);
            Assert.Contains(".wal", e.FilePath);
            Assert.False(t.Contains(2));

            // A batch is one record: the good objects before the bad one are undone too.
            Assert.Throws<LogWriteException>(() => t.Insert([new Row(3, "good"), new Row(1, "good too"), new Row(4, "bad")]));
            Assert.False(t.Contains(3));
            Assert.False(t.Contains(4));
            Assert.Equal(1, t.Count);
            Assert.Equal([new Row(1, "good")], t.Lookup(1));

            t.Insert(new Row(5, "good")); // the log is not harmed: later writes go on
        }
        using var back = PersistentTable.New("h", path, (Row r) => r.Id, options, Picky);
        Assert.Equal([1, 5], back.ToList().Select(r => r.Id).Order());
    }

    /// <summary>
    /// A batch refused while a save's capture is being read is undone, and the capture still holds the
    /// instant: the batch's writes copied their runs or leaves first, and its undo keeps to the same rule.
    /// </summary>
    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public void ABatchUndoneWhileACaptureIsRead_LeavesTheCaptureAtItsInstant(TableType type)
    {
        var options = Logged with { Table = new TableOptions { Type = type } };
        using var t = PersistentTable.New("u", _dir.File("u.pets"), (Row r) => r.Id, options, Picky);
        var atInstant = Enumerable.Range(0, 3_000).Select(i => new Row(i, "good")).ToArray();
        t.Insert(atInstant);
        using var view = t.Core.BeginSnapshot();
        using var run = new PersistentEts.Storage.ObjectRun<Row>();
        // The first slice or part only, then a batch over keys read and not yet read, new keys among them,
        // refused at its last object.
        if (view.Parts == 0) Assert.True(view.ReadNext(run));
        else view.ReadPart(0, run);
        var batch = Enumerable.Range(0, 600).Select(i => new Row(5 * i + (i % 2 == 0 ? 0 : 3_000), "changed")).Append(new Row(2, "bad"));
        Assert.Throws<LogWriteException>(() => t.Insert(batch));
        Assert.Equal(3_000, t.Count);
        if (view.Parts == 0)
        {
            while (view.ReadNext(run)) { }
        }
        else
        {
            for (var part = 1; part < view.Parts; part++) view.ReadPart(part, run);
        }
        Assert.Equal(atInstant, run.AsSpan().ToArray().OrderBy(r => r.Id));
    }

    [Fact]
    public void AFailedLog_IsALogException_NamingTheSegment_AndRefusesWritesUntilASaveSucceeds()
    {
        const string dir = "/sim";
        var fs = new SimulatedFileSystem(dir);
        var t = PersistentTable.Open("wal", dir + "/t.pets", (Row r) => r.Id, "r => r.Id", Logged, MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
        t.Insert(new Row(1, "acknowledged"));
        fs.NoSpace = true;
        fs.FailAt = fs.Operations + 1; // the next write of the log
        var e = Assert.Throws<LogWriteException>(() => t.Insert(new Row(2, "failed while being written")));
        Assert.Contains("No space left", e.Message);
        Assert.Matches(@"/sim/t\.pets\.\d{12}\.wal", e.FilePath);

        // From now on refused before anything changes, until a save covers what is in memory.
        var count = t.Count;
        var refused = Assert.Throws<LogWriteException>(() => t.Insert(new Row(3, "refused")));
        Assert.Contains("until a save", refused.Message);
        Assert.Equal(count, t.Count);
        Assert.False(t.Contains(3));

        Assert.NotNull(t.Persistence!.Flush()); // space is back (the fault was one operation)
        t.Insert(new Row(4, "after recovery"));
        var back = fs.AfterPowerLoss();
        t.Persistence.Abandon();
        t.Dispose();
        using var reopened = PersistentTable.Open("wal", dir + "/t.pets", (Row r) => r.Id, "r => r.Id", Logged, MessagePackObjectCodec<Row>.Instance, null, null, default, back);
        Assert.True(reopened.Contains(1));
        Assert.True(reopened.Contains(4));
        Assert.False(reopened.Contains(3));
    }

    [Fact]
    public void AFailedSegmentCreation_LeavesNothingBehind_AndTheNextSaveSucceeds()
    {
        const string dir = "/sim";
        // The new segment's create, header write, fsync and directory fsync, each failing once.
        for (var k = 1; k <= 4; k++)
        {
            var fs = new SimulatedFileSystem(dir);
            var t = PersistentTable.Open("seg", dir + "/t.pets", (Row r) => r.Id, "r => r.Id", Logged, MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
            t.Insert(new Row(1, "before"));
            var segments = fs.EnumerateFiles(dir, "*.wal").ToList();
            fs.NoSpace = true;
            fs.FailAt = fs.Operations + k;
            var e = Assert.Throws<LogWriteException>(() => t.Persistence!.Flush());
            Assert.Contains("new log segment could not be started", e.Message);
            Assert.Equal(segments, fs.EnumerateFiles(dir, "*.wal").ToList()); // no 0-byte or partial leftover

            t.Insert(new Row(2, "while the save failed")); // the current segment is fine: writes go on
            Assert.NotNull(t.Persistence!.Flush());          // the same segment number, created cleanly now
            t.Insert(new Row(3, "after"));
            var back = fs.AfterPowerLoss();
            t.Persistence.Abandon();
            t.Dispose();
            using var reopened = PersistentTable.Open("seg", dir + "/t.pets", (Row r) => r.Id, "r => r.Id", Logged, MessagePackObjectCodec<Row>.Instance, null, null, default, back);
            Assert.Equal([1, 2, 3], reopened.ToList().Select(r => r.Id).Order());
        }
    }

    [Fact]
    public void AReplayedClear_IsFoldedIntoTheSnapshot_WhenTheTableReopensWithoutALog()
    {
        var path = _dir.File("cleared.pets");
        var t = PersistentTable.New("cleared", path, (Row r) => r.Id, Logged);
        t.Insert(Enumerable.Range(0, 10).Select(i => new Row(i, "saved")));
        t.Persistence!.Flush();
        t.DeleteAllObjects();      // only in the log now
        t.Persistence.Abandon();   // the process dies before the next snapshot
        t.Dispose();

        var snapshotOnly = Logged with { Durability = DurabilityMode.Snapshot };
        using (var reopened = PersistentTable.New("cleared", path, (Row r) => r.Id, snapshotOnly))
            Assert.Equal(0, reopened.Count);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.wal")); // folded, then retired
        using var again = PersistentTable.New("cleared", path, (Row r) => r.Id, snapshotOnly);
        Assert.Equal(0, again.Count); // the cleared rows never come back
    }
}
