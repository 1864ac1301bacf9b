using PersistentEts.Persistence;
using PersistentEts.Tests.Persistence;

namespace PersistentEts.Tests.Misuse;

/// <summary>
/// The owner's end is linearized with writers: a write that returns normally is in the final save; any
/// other write throws. And a final save that fails is never silent.
/// </summary>
[Collection(nameof(MisuseCollection))]
public sealed class OwnerEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<DurabilityMode, LogSync, string> Ends()
    {
        var data = new TheoryData<DurabilityMode, LogSync, string>();
        foreach (var end in new[] { "dispose", "dispose-async", "token", "delete" })
        {
            data.Add(DurabilityMode.Snapshot, LogSync.Always, end);
            data.Add(DurabilityMode.Log, LogSync.Always, end);
            data.Add(DurabilityMode.Log, LogSync.None, end);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Ends))]
    public async Task WritesRacingTheEnd_AreInTheFinalSave_OrThrowTableDestroyed(DurabilityMode durability, LogSync sync, string end)
    {
        var path = _dir.File("race.pets");
        var options = new PersistentTableOptions { PersistEvery = TimeSpan.FromMilliseconds(20), Durability = durability, LogSync = sync };
        for (var round = 0; round < 5; round++)
        {
            using var lifetime = new CancellationTokenSource();
            var table = PersistentTable.New("race", path, (Row r) => r.Id, options, ownerLifetime: lifetime.Token);
            var writer = table; // the writers use the owner handle itself: ending it races them
            var acknowledged = new System.Collections.Concurrent.ConcurrentBag<int>();
            var refused = 0;
            // Writers on threads of their own: three spinning pool items on two cores would starve the
            // pool, and with it an asynchronous end's awaited writes, while the table grows without bound.
            var writers = Enumerable.Range(0, 3).Select(w => Task.Factory.StartNew(() =>
            {
                for (var k = round * 10_000_000 + w; ; k += 3)
                {
                    try
                    {
                        writer.Insert(new Row(k, "v"));
                        acknowledged.Add(k);
                    }
                    catch (TableDestroyedException)
                    {
                        Interlocked.Increment(ref refused);
                        return;
                    }
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            SpinWait.SpinUntil(() => acknowledged.Count > 2_000);
            switch (end)
            {
                case "dispose": writer.Dispose(); break;
                case "dispose-async": await writer.DisposeAsync(); break;
                case "token": lifetime.Cancel(); break;
                default: writer.DeleteTable(); break;
            }
            await Task.WhenAll(writers);
            Assert.Equal(3, refused); // every writer met the end as an exception, none as silence

            using var back = PersistentTable.New("race", path, (Row r) => r.Id, options);
            var missing = acknowledged.Where(k => !back.Contains(k)).ToList();
            Assert.True(missing.Count == 0, $"round {round}: {missing.Count} of {acknowledged.Count} acknowledged writes were lost ({end}, {durability})");
        }
    }

    /// <summary>A table whose file operations go through <paramref name="fs"/>, to fail on purpose.</summary>
    private static EtsTable<int, Row> OpenOn(FaultyFileSystem fs, string name, string path, PersistentTableOptions options, CancellationToken lifetime = default) =>
        PersistentTable.Open(name, path, (Row r) => r.Id, "r => r.Id", options, MessagePackObjectCodec<Row>.Instance, null, null, lifetime, fs);

    [Fact]
    public void FailedFinalSave_WithoutALog_ThrowsFromDispose_KeepsTheTable_AndTheNextDisposeSaves()
    {
        var path = _dir.File("final.pets");
        var fs = new FaultyFileSystem();
        var options = new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) };
        var table = OpenOn(fs, "final", path, options);
        table.Insert(new Row(1, "saved"));
        table.Persistence!.Flush();
        var good = File.ReadAllBytes(path);
        table.Insert(new Row(2, "only in memory"));
        fs.FailAt = FaultPoint.Sync;

        var e = Assert.Throws<SnapshotFileException>(table.Dispose);
        Assert.Contains("final save failed", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(good, File.ReadAllBytes(path)); // the last good file is untouched
        Assert.True(table.IsOwner);
        Assert.Equal(2, table.Count);                // nothing was dropped
        table.Insert(new Row(3, "still writable"));
        Assert.NotNull(table.Persistence.LastError);

        fs.FailAt = FaultPoint.None;
        table.Dispose();
        Assert.False(table.IsOwner);
        using var back = PersistentTable.New("final", path, (Row r) => r.Id, options);
        Assert.Equal(3, back.Count);
    }

    [Fact]
    public void FailedFinalSave_WithALog_LosesNothing_AndDisposeReturns()
    {
        var path = _dir.File("logged.pets");
        var fs = new FaultyFileSystem();
        var options = new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), Durability = DurabilityMode.Log };
        var table = OpenOn(fs, "logged", path, options);
        table.Insert(new Row(1, "a"));
        table.Insert(new Row(2, "b"));
        fs.FailAt = FaultPoint.Replace; // the snapshot cannot replace the old file; the log is fine
        table.Dispose();
        Assert.False(table.IsOwner);
        Assert.IsType<SnapshotFileException>(table.Persistence!.LastError);
        using var back = PersistentTable.New("logged", path, (Row r) => r.Id, options);
        Assert.Equal(2, back.Count);
    }

    [Fact]
    public void FailedFinalSave_ThroughTheLifetimeToken_IsReported_AndTheTableStays()
    {
        var path = _dir.File("token.pets");
        var fs = new FaultyFileSystem();
        using var lifetime = new CancellationTokenSource();
        var table = OpenOn(fs, "token", path, new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) }, lifetime.Token);
        Exception? reported = null;
        table.Persistence!.SaveFailed += e => reported = e;
        table.Insert(new Row(1, "a"));
        fs.FailAt = FaultPoint.Write;
        lifetime.Cancel(); // no caller to throw to
        Assert.IsType<SnapshotFileException>(reported);
        Assert.Same(reported, table.Persistence.LastError);
        Assert.True(table.IsOwner);
        Assert.Equal(1, table.Count);
        fs.FailAt = FaultPoint.None;
        table.Dispose();
        using var back = PersistentTable.New("token", path, (Row r) => r.Id, new PersistentTableOptions());
        Assert.Equal(1, back.Count);
    }
}
