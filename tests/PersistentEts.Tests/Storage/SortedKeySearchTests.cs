using PersistentEts.Storage;

namespace PersistentEts.Tests.Storage;

/// <summary>
/// The ordered store's key search against <see cref="Array.BinarySearch{T}(T[], T)"/>: for runs of every
/// length around the vector width and the whole-run limit, keys below, among, between and above them.
/// </summary>
public sealed class SortedKeySearchTests
{
    [Fact]
    public void Ints_AnswerAsABinarySearch() => Check(r => r.Next(-500, 500));

    [Fact]
    public void Longs_AnswerAsABinarySearch() => Check(r => r.NextInt64(long.MinValue / 2, long.MaxValue / 2));

    [Fact]
    public void Strings_AnswerAsABinarySearch() => Check(r => r.Next(1000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));

    private static void Check<TKey>(Func<Random, TKey> draw)
    {
        var random = new Random(11);
        for (var length = 0; length <= 70; length++)
        {
            for (var trial = 0; trial < 20; trial++)
            {
                var keys = Enumerable.Range(0, length).Select(_ => draw(random)).Distinct().Order().ToArray();
                var probes = keys.Concat(Enumerable.Range(0, 10).Select(_ => draw(random)));
                foreach (var probe in probes)
                {
                    var i = Array.BinarySearch(keys, probe);
                    var expected = i >= 0 ? i : ~i;
                    Assert.Equal(expected, SortedKeySearch<TKey>.LowerBound(keys, probe));
                    Assert.Equal(expected, SortedKeySearch<TKey>.CountBelow(keys, probe));
                }
            }
        }
    }
}
