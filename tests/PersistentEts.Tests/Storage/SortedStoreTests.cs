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
