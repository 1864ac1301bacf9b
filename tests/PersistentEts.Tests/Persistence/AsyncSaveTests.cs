using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// <see cref="TablePersistence.FlushAsync"/>, <see cref="EtsTable{TKey, TObject}.DisposeAsync"/> and
/// <see cref="Snapshot.SaveAsync{TKey, TObject}"/> write by awaited I/O: on a file system whose streams
/// hold every write behind a gate and refuse synchronous writes, they wait for the gate without failing,
/// and write everything once it opens.
/// </summary>
public sealed class AsyncSaveTests : IDisposable
{
    public sealed record Row(int Id, string Name);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Enough rows for many blocks, encoded by several workers.</summary>
    private const int Rows = 200_000;

    private static EtsTable<int, Row> OpenOn(FaultyFileSystem fs, string path, PersistentTableOptions? options = null) =>
        PersistentTable.Open("async", path, (Row r) => r.Id, "r => r.Id", options ?? new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) },
            MessagePackObjectCodec<Row>.Instance, null, null, default, fs);

    /// <summary>A table of <see cref="Rows"/> rows whose asynchronous writes wait for <paramref name="gate"/>.</summary>
    private EtsTable<int, Row> GatedTable(string file, FaultyFileSystem fs, Task gate)
    {
        var table = OpenOn(fs, _dir.File(file));
        Fill(table, 0, Rows);
        fs.AsyncWriteGate = gate;
        return table;
    }

    private long CountOnReopen(string file)
    {
        using var back = PersistentTable.New("async", _dir.File(file), (Row r) => r.Id, new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) });
        return back.Count;
    }

    private static void Fill(EtsTable<int, Row> table, int from, int count) =>
        table.Insert(Enumerable.Range(from, count).Select(i => new Row(i, "row " + i)));

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public async Task FlushAsync_WaitsOnTheDisk_WithoutASynchronousWrite_ThenSavesEverything(TableType type)
    {
        var path = _dir.File("flush.pets");
        var fs = new FaultyFileSystem();
        var options = new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), Table = new TableOptions { Type = type } };
        var table = OpenOn(fs, path, options);
        Fill(table, 0, Rows);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fs.AsyncWriteGate = gate.Task;

        var flush = table.Persistence!.FlushAsync();
        Assert.False(flush.IsCompleted); // the gate is shut: the save can only be waiting on it
        gate.SetResult();
        var result = await flush;

        Assert.NotNull(result);
        Assert.Equal(Rows, result.Objects);
        Assert.True(fs.AsyncWrites > 1, $"{fs.AsyncWrites} awaited writes");
        fs.AsyncWriteGate = null;
        table.Dispose();
        using var back = PersistentTable.New("async", path, (Row r) => r.Id, options);
        Assert.Equal(Rows, back.Count);
    }

    [Fact]
    public async Task CancellingFlushAsync_MidWrite_LeavesTheLastGoodFile_AndIsNoFailure()
    {
        var path = _dir.File("cancel.pets");
        var fs = new FaultyFileSystem();
        var table = OpenOn(fs, path);
        Fill(table, 0, 10);
        table.Persistence!.Flush();
        var good = File.ReadAllBytes(path);
        Fill(table, 10, Rows);
        fs.AsyncWriteGate = new TaskCompletionSource().Task; // never opens
        using var cancel = new CancellationTokenSource();

        var flush = table.Persistence.FlushAsync(cancel.Token);
        Assert.False(flush.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);

        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Null(table.Persistence.LastError);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp")); // the abandoned temporary file is gone
        fs.AsyncWriteGate = null;
        var saved = await table.Persistence.FlushAsync(); // the changes were kept for the next save
        Assert.Equal(Rows + 10, saved!.Objects);
        table.Dispose();
    }

    [Fact]
    public async Task DisposeAsync_WritesTheFinalSaveByAwaitedIO()
    {
        var fs = new FaultyFileSystem();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var table = GatedTable("dispose.pets", fs, gate.Task);

        var end = table.DisposeAsync();
        Assert.False(end.IsCompleted);
        Assert.True(table.IsOwner); // the owner ends only after its save
        gate.SetResult();
        await end;

        Assert.False(table.IsOwner);
        Assert.True(fs.AsyncWrites > 1);
        Assert.Equal(Rows, CountOnReopen("dispose.pets"));
    }

    [Fact]
    public async Task AnHeirNamedWhileDisposeAsyncSaves_DoesNotInheritATableWhoseFilesAreLetGo()
    {
        var fs = new FaultyFileSystem();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var table = GatedTable("heir.pets", fs, gate.Task);

        var end = table.DisposeAsync();
        Assert.False(end.IsCompleted);
        Assert.Throws<TableDestroyedException>(() => table.Insert(new Row(-1, "late"))); // writes are held back already
        var inherited = false;
        table.SetHeir((_, _) => inherited = true);
        gate.SetResult();
        await end;

        Assert.False(inherited);
        Assert.False(table.IsOwner);
        Assert.Equal(Rows, CountOnReopen("heir.pets"));
    }

    [Fact]
    public async Task DisposeAsync_WhenTheFinalSaveFails_WithoutALog_Throws_AndKeepsTheTable()
    {
        var path = _dir.File("fails.pets");
        var fs = new FaultyFileSystem();
        var table = OpenOn(fs, path);
        Fill(table, 0, 100);
        fs.FailAt = FaultPoint.Sync;

        var e = await Assert.ThrowsAsync<SnapshotFileException>(async () => await table.DisposeAsync());
        Assert.Contains(path, e.Message);
        Assert.True(table.IsOwner);
        Assert.Equal(100, table.Count);

        fs.FailAt = FaultPoint.None;
        await table.DisposeAsync();
        Assert.False(table.IsOwner);
        using var back = PersistentTable.New("async", path, (Row r) => r.Id, new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) });
        Assert.Equal(100, back.Count);
    }

    [Fact]
    public async Task SnapshotSaveAsync_WritesTheSameFileAsSave()
    {
        using var table = Ets.New("plain", (Row r) => r.Id, new TableOptions { Type = TableType.OrderedSet });
        Fill(table, 0, 50_000);
        await Snapshot.SaveAsync(table, _dir.File("async.pets"));
        Snapshot.Save(table, _dir.File("sync.pets"));

        using var a = Snapshot.Load(_dir.File("async.pets"), (Row r) => r.Id);
        using var s = Snapshot.Load(_dir.File("sync.pets"), (Row r) => r.Id);
        Assert.Equal(s.ToList(), a.ToList());
        Assert.Equal(50_000, a.Count);
    }

    [Fact]
    public async Task ASavedHandler_MayFlushAgain_WithoutWaitingOnItself()
    {
        var table = OpenOn(new FaultyFileSystem(), _dir.File("handler.pets"));
        var inner = new TaskCompletionSource<SnapshotResult?>();
        var once = 0;
        table.Persistence!.Saved += _ =>
        {
            if (Interlocked.Exchange(ref once, 1) == 0) inner.SetResult(table.Persistence.Flush());
        };
        Fill(table, 0, 10);
        await table.Persistence.FlushAsync();
        Assert.Null(await inner.Task); // the handler's flush ran, and found nothing new to save
        Assert.Equal(1, table.Persistence.SkippedSaves);
        table.Dispose();
    }
}
