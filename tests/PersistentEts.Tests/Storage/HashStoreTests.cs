using PersistentEts.Storage;

namespace PersistentEts.Tests.Storage;

/// <summary>
/// The hashed store on its own: the same answers as a dictionary under random writes, and lock-free
/// readers that never miss a key nobody touched while the array grows and chains are rewritten around it.
/// </summary>
public sealed class HashStoreTests
{
    public static TheoryData<bool> Comparers => new() { false, true };

    [Theory]
    [MemberData(nameof(Comparers))]
    public void RandomWrites_AnswerAsADictionaryDoes(bool colliding)
    {
        var store = new HashStore<int, string>(4, colliding ? new FewHashCodes(7) : null);
        var model = new Dictionary<int, string>();
        var random = new Random(42);
        for (var step = 0; step < 20_000; step++)
        {
            var key = random.Next(colliding ? 200 : 3000);
            switch (random.Next(10))
            {
                case < 6:
                    var value = $"v{step}";
                    Assert.Equal(!model.ContainsKey(key), store.SetLocked(key, value));
                    model[key] = value;
                    break;
                case < 9:
                    Assert.Equal(model.Remove(key), store.RemoveLocked(key));
                    break;
                default:
                    if (random.Next(200) == 0)
                    {
                        store.ClearLocked();
                        model.Clear();
                    }
                    break;
            }
            var probe = random.Next(colliding ? 200 : 3000);
            Assert.Equal(model.TryGetValue(probe, out var expected), store.TryGet(probe, out var actual));
            Assert.Equal(expected, actual);
        }
        Assert.Equal(model.Count, store.KeyCount);
        Assert.Equal(model.OrderBy(kv => kv.Key), store.ToEnumerable().OrderBy(kv => kv.Key));
        var visited = new List<int>();
        for (var bucket = 0; bucket < store.BucketCount; bucket++)
            store.ForEachInBucketLocked(bucket, ref visited, static (ref List<int> v, int key, string _) => v.Add(key));
        Assert.Equal(model.Keys.Order(), visited.Order());
    }

    [Fact]
    public void KeysThatCrowdIntoOneStripe_DoNotGrowTheArrayForTheOthers()
    {
        var store = new HashStore<int, int>(64, null);
        var crowded = Enumerable.Range(0, int.MaxValue).Where(k => store.StripeOf(k) == 0).Take(10_000).ToArray();
        foreach (var k in crowded) store.SetLocked(k, k);
        // Grown for the stripe's load alone, the array would be 64 × 10,000 long and mostly empty.
        Assert.InRange(store.BucketCount, 10_000, 32_768);
        Assert.Equal(crowded.Length, store.KeyCount);
        Assert.All(crowded, k => Assert.True(store.TryGet(k, out var v) && v == k));
    }

    [Fact]
    public void UnderALayoutHold_KeysStayInTheirRuns_ThroughInsertsAndAClear_AndTheArrayGrowsOnceItIsReleased()
    {
        var store = new HashStore<int, int>(4, null);
        var runs = store.RunCount;
        store.HoldLayoutLocked();
        var runOfSeven = store.RunOf(7);
        for (var k = 0; k < 10_000; k++) store.SetLocked(k, k);
        Assert.Equal(runs, store.RunCount);
        Assert.Equal(runOfSeven, store.RunOf(7));
        Assert.All(Enumerable.Range(0, 10_000), k => Assert.True(store.TryGet(k, out var v) && v == k));
        Assert.All(Enumerable.Range(0, store.RunCount), run => Assert.Equal(run % store.StripeCount, store.StripeOfRun(run)));
        store.ClearLocked();
        Assert.Equal(runs, store.RunCount);
        store.SetLocked(7, 7);
        Assert.Equal(runOfSeven, store.RunOf(7));
        store.ReleaseLayoutLocked();
        for (var k = 0; k < 10_000; k++) store.SetLocked(k, k);
        Assert.True(store.RunCount > runs);
    }

    [Fact]
    public void AGrownArray_SharesNodesWithTheOld_AndAValueReplacedAfterwardsIsReadThroughIt()
    {
        var store = new HashStore<int, string>(4, null);
        for (var k = 0; k < 4; k++) store.SetLocked(k, "first");
        var before = store.BucketCount;
        for (var k = 4; k < 10_000; k++) store.SetLocked(k, "first");
        Assert.True(store.BucketCount > before);
        for (var k = 0; k < 10_000; k += 3) store.SetLocked(k, "second");
        for (var k = 0; k < 10_000; k++)
        {
            Assert.True(store.TryGet(k, out var v));
            Assert.Equal(k % 3 == 0 ? "second" : "first", v);
        }
        Assert.Equal(10_000, store.ToEnumerable().Count());
    }

    [Theory]
    [MemberData(nameof(Comparers))]
    public async Task Readers_NeverMissAnUntouchedKey_WhileAWriterGrowsAndRewritesChains(bool colliding)
    {
        var store = new HashStore<int, int>(2, colliding ? new FewHashCodes(7) : null);
        const int stable = 300;
        for (var k = 0; k < stable; k++) store.SetLocked(k, k);
        var missed = 0L;
        var reads = 0L;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var key = random.Next(stable);
                if (!store.TryGet(key, out var value) || value != key) Interlocked.Increment(ref missed);
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        // Keys above the stable ones come and go (under the stripe lock, as the table writes), growing the array
        // and rewriting the chains the stable keys sit in.
        var writes = new Random(7);
        for (var round = 0; round < (colliding ? 20 : 5); round++)
        {
            for (var k = stable; k < stable + 5_000; k++)
                lock (store.LockOf(store.StripeOf(k))) store.SetLocked(k, k);
            for (var k = stable; k < stable + 5_000; k++)
                if (writes.Next(2) == 0) lock (store.LockOf(store.StripeOf(k))) store.RemoveLocked(k);
        }
        while (Interlocked.Read(ref reads) < 10_000) Thread.Yield();
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, missed);
    }
}

internal static class StoreEnumeration
{
    public static IEnumerable<KeyValuePair<TKey, TBucket>> ToEnumerable<TKey, TBucket>(this HashStore<TKey, TBucket> store) where TKey : notnull
    {
        using var e = store.GetEnumerator();
        while (e.MoveNext()) yield return e.Current;
    }
}
