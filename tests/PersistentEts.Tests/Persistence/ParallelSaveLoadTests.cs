using System.Buffers;
using MessagePack;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// Saves encode and loads decode on several threads: what one thread would keep must still hold (a bag's
/// order, an ordered_set's key order in the file), a codec that is not thread-safe is called from one thread
/// at a time, and a failure on any thread ends the save cleanly.
/// </summary>
public sealed class ParallelSaveLoadTests : IDisposable
{
    public sealed record Item(int Key, int Seq, string Text);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string Filler = new('x', 100);

    [Theory]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public void ABagKeepsEachKeysOrder_ThroughBlocksEncodedAndDecodedInParallel(TableType type)
    {
        using var table = Ets.New("items", (Item i) => i.Key, new TableOptions { Type = type });
        // Three keys of 40,000 objects (about 4.5 MB each, so several blocks each) among 50,000 single keys.
        for (var seq = 0; seq < 40_000; seq++)
        {
            foreach (var key in new[] { -1, -2, -3 }) table.Insert(new Item(key, seq, Filler));
        }
        table.Insert(Enumerable.Range(0, 50_000).Select(k => new Item(k, 0, "single")).ToList());
        var path = _dir.File("items.pets");

        Snapshot.Save(table, path, new SnapshotWriteOptions { EncodeThreads = 4 });
        using var loaded = Snapshot.Load(path, (Item i) => i.Key, new TableOptions { Type = type });

        Assert.Equal(table.Count, loaded.Count);
        foreach (var key in new[] { -1, -2, -3 })
            Assert.Equal(Enumerable.Range(0, 40_000), loaded.Lookup(key).Select(i => i.Seq));
        Assert.Equal("single", loaded.Lookup(49_999).Single().Text);
    }

    [Fact]
    public void AnOrderedSetsFile_HoldsItsObjectsInKeyOrder()
    {
        using var table = Ets.New("items", (Item i) => i.Key, new TableOptions { Type = TableType.OrderedSet });
        var keys = Enumerable.Range(0, 60_000).ToArray();
        new Random(7).Shuffle(keys);
        foreach (var k in keys) table.Insert(new Item(k, k, Filler));
        var path = _dir.File("items.pets");

        Snapshot.Save(table, path, new SnapshotWriteOptions { EncodeThreads = 4 });

        var inFile = new List<int>();
        Snapshot.ReadRawObjects(path, raw =>
        {
            inFile.Add(MessagePackSerializer.Deserialize<Item>(raw, MessagePack.Resolvers.ContractlessStandardResolver.Options).Key);
            return true;
        });
        Assert.Equal(Enumerable.Range(0, 60_000), inFile);
    }

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    public void ACodecThatIsNotThreadSafe_IsCalledFromOneThreadAtATime(TableType type)
    {
        using var table = Ets.New("items", (Item i) => i.Key, new TableOptions { Type = type });
        table.Insert(Enumerable.Range(0, 100_000).Select(k => new Item(k, k, Filler)).ToList());
        var path = _dir.File("items.pets");
        var codec = new WatchedCodec(threadSafe: false);

        Snapshot.Save(table, path, new SnapshotWriteOptions { EncodeThreads = 4 }, codec);
        using var loaded = Snapshot.Load(path, (Item i) => i.Key, new TableOptions { Type = type }, codec: codec);

        Assert.Equal(100_000, loaded.Count);
        Assert.Equal(200_000, codec.Calls);
        Assert.Equal(1, codec.MostAtOnce);
    }

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    public void AnObjectThatCannotBeEncoded_OnAnyThread_FailsTheSave_AndLeavesTheLastFile(TableType type)
    {
        using var table = Ets.New("items", (Item i) => i.Key, new TableOptions { Type = type });
        table.Insert(Enumerable.Range(0, 100_000).Select(k => new Item(k, k, Filler)).ToList());
        var path = _dir.File("items.pets");
        Snapshot.Save(table, path);
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<SnapshotFileException>(() =>
            Snapshot.Save(table, path, new SnapshotWriteOptions { EncodeThreads = 4 }, new WatchedCodec(threadSafe: true, failOnKey: 77_777)));

        Assert.Contains("cannot be encoded by codec 'watched/1'", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        // The capture ended with the failed save: the next one runs.
        Assert.Equal(100_000, Snapshot.Save(table, path, new SnapshotWriteOptions { EncodeThreads = 4 }).Objects);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void EncodeThreads_OutOfRange_IsRefused_NamingTheOption(int threads)
    {
        using var table = Ets.New("items", (Item i) => i.Key);
        var e = Assert.Throws<EtsArgumentException>(() =>
            Snapshot.Save(table, _dir.File("items.pets"), new SnapshotWriteOptions { EncodeThreads = threads }));
        Assert.Contains("EncodeThreads must be from 1 to 64", e.Message);
        Assert.False(File.Exists(_dir.File("items.pets")));
    }

    /// <summary>The default encoding, counting its calls and how many ran at once.</summary>
    private sealed class WatchedCodec(bool threadSafe, int failOnKey = -1) : IObjectCodec<Item>
    {
        private int _running;
        private int _mostAtOnce;
        private int _calls;

        public int MostAtOnce => _mostAtOnce;

        public int Calls => _calls;

        public string Id => "watched/1";

        public bool IsThreadSafe => threadSafe;

        public void Write(IBufferWriter<byte> writer, Item obj) => Watch(() =>
        {
            if (obj.Key == failOnKey) throw new InvalidOperationException("refused by the test");
            MessagePackObjectCodec<Item>.Instance.Write(writer, obj);
            return 0;
        });

        public Item Read(ReadOnlyMemory<byte> source, out int bytesRead)
        {
            var used = 0;
            var item = Watch(() => MessagePackObjectCodec<Item>.Instance.Read(source, out used));
            bytesRead = used;
            return item;
        }

        private T Watch<T>(Func<T> call)
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = Volatile.Read(ref _mostAtOnce)) && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
            {
            }
            // Long enough that calls from two threads would overlap if they were made.
            Thread.SpinWait(200);
            try
            {
                return call();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
