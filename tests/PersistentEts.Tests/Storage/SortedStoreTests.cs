using PersistentEts.Storage;

namespace PersistentEts.Tests.Storage;

/// <summary>
/// The ordered store on its own, against a sorted dictionary: keys that arrive in order (a load, rising
/// ids) go down the append path and fill whole leaves, and every later write in their middle, at their end
/// or before them still answers as the model does, in order.
/// </summary>
public sealed class SortedStoreTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void KeysAppendedInOrder_ThenWrittenAnywhere_AnswerAsASortedDictionaryDoes(int seed)
    {
        var store = new SortedStore<int, string>(null);
        var model = new SortedDictionary<int, string>();
        // Rising keys with gaps, so later writes land between them: thousands of leaves' worth.
        for (var k = 0; k < 50_000; k += 3)
        {
            Assert.True(store.SetLocked(k, $"a{k}"));
            model[k] = $"a{k}";
        }
        var random = new Random(seed);
        for (var step = 0; step < 30_000; step++)
        {
            // Keys before, among and after the appended ones; some runs of rising keys past the end again.
            var key = random.Next(4) == 0 ? 50_000 + step : random.Next(-1_000, 52_000);
            if (random.Next(3) == 0)
            {
                Assert.Equal(model.Remove(key), store.RemoveLocked(key));
            }
            else
            {
                Assert.Equal(!model.ContainsKey(key), store.SetLocked(key, $"v{step}"));
                model[key] = $"v{step}";
            }
            var probe = random.Next(-1_000, 80_000);
            Assert.Equal(model.TryGetValue(probe, out var expected), store.TryGet(probe, out var actual));
            Assert.Equal(expected, actual);
        }
        Assert.Equal(model.Count, store.KeyCount);
        Assert.Equal(model, All(store));
        Assert.True(store.TryEdge(first: true, out var smallest));
        Assert.Equal(model.Keys.First(), smallest);
        Assert.True(store.TryEdge(first: false, out var largest));
        Assert.Equal(model.Keys.Last(), largest);
    }

    /// <summary>
    /// Used as a capture's pre-image map (no lock-free reads): a key added twice keeps its first bucket,
    /// and taking the smallest key again and again yields every key once, in order.
    /// </summary>
    [Fact]
    public void AsAQueueOfFirstBuckets_KeepsEachKeysFirst_AndYieldsKeysInOrder()
    {
        var store = new SortedStore<int, string>(null, lockFreeReads: false);
        var model = new SortedDictionary<int, string>();
        var random = new Random(7);
        for (var step = 0; step < 20_000; step++)
        {
            var key = random.Next(5_000);
            Assert.Equal(model.TryAdd(key, $"v{step}"), store.TryAddLocked(key, $"v{step}"));
        }
        var taken = new List<KeyValuePair<int, string>>();
        while (store.TryFirstLocked(out var key, out var bucket))
        {
            taken.Add(new(key, bucket));
            Assert.True(store.RemoveLocked(key));
        }
        Assert.Equal(model, taken);
        Assert.Equal(0, store.KeyCount);
    }

    public static TheoryData<string> KeyKinds => new() { "int", "long", "string" };

    /// <summary>
    /// Enough leaves for every level of the leaf index (thousands of leaves, tens of groups, several
    /// groups of groups), with keys of the kinds searched by vector (int, long) and by comparison (string):
    /// every key is found, every gap is not, while leaves split, empty and vanish.
    /// </summary>
    [Theory]
    [MemberData(nameof(KeyKinds))]
    public void AcrossThousandsOfLeaves_EveryKeyIsFound_AndEveryGapIsNot(string kind)
    {
        switch (kind)
        {
            case "int": ManyLeaves(k => k); break;
            case "long": ManyLeaves(k => (long)k * 3_000_000_000L); break;
            default: ManyLeaves(k => k.ToString("D9", System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static void ManyLeaves<TKey>(Func<int, TKey> keyOf) where TKey : notnull
    {
        var store = new SortedStore<TKey, int>(null);
        var model = new SortedDictionary<TKey, int>();
        // Even numbers appended in order (full leaves), then odd ones written in between (splits).
        for (var k = 0; k < 400_000; k += 2)
        {
            store.SetLocked(keyOf(k), k);
            model[keyOf(k)] = k;
        }
        var random = new Random(5);
        for (var step = 0; step < 60_000; step++)
        {
            var k = random.Next(400_000);
            store.SetLocked(keyOf(k), k);
            model[keyOf(k)] = k;
        }
        // Whole runs removed, so leaves empty and leave the index.
        for (var k = 100_000; k < 160_000; k++)
        {
            Assert.Equal(model.Remove(keyOf(k)), store.RemoveLocked(keyOf(k)));
        }
        for (var k = -10; k < 400_010; k++)
        {
            var found = store.TryGet(keyOf(k), out var value);
            Assert.Equal(model.ContainsKey(keyOf(k)), found);
            if (found) Assert.Equal(k, value);
        }
        Assert.Equal(model.Count, store.KeyCount);
    }

    private static List<KeyValuePair<int, string>> All(SortedStore<int, string> store)
    {
        var all = new List<KeyValuePair<int, string>>();
        while (true)
        {
            var chunk = store.CopyRange(all.Count > 0, all.Count > 0 ? all[^1].Key : 0, 1000, descending: false);
            all.AddRange(chunk);
            if (chunk.Count < 1000) return all;
        }
    }
}
