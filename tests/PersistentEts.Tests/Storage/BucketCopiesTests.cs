using PersistentEts.Storage;
using PersistentEts.Tables;

namespace PersistentEts.Tests.Storage;

/// <summary>
/// What a hashed capture keeps while writers run ahead of its reader: the written key's bucket alone,
/// once, as of the instant (empty buckets included), and nothing once the bucket's run is read.
/// </summary>
public sealed class BucketCopiesTests
{
    private static HashStore<int, string> StoreOf(params int[] keys)
    {
        var store = new HashStore<int, string>(4, null);
        foreach (var k in keys) store.SetLocked(k, "v" + k);
        store.HoldLayoutLocked();
        return store;
    }

    /// <summary>Another key in the same run as <paramref name="key"/> but in another bucket.</summary>
    private static int NeighbourOf(HashStore<int, string> store, int key) =>
        Enumerable.Range(0, 100_000).First(k =>
            store.BucketIndexOf(k) != store.BucketIndexOf(key)
            && HashStore<int, string>.RunOfBucket(store.BucketIndexOf(k)) == HashStore<int, string>.RunOfBucket(store.BucketIndexOf(key)));

    [Fact]
    public void AWrite_CopiesItsBucketAsOfTheInstant_OnceAndAlone()
    {
        var store = StoreOf(1, 2, 3);
        var neighbour = NeighbourOf(store, 1);
        using var copies = new BucketCopies<int, string>(store);

        copies.BeforeWriteLocked(1);
        store.SetLocked(1, "changed");
        copies.BeforeWriteLocked(1);
        store.SetLocked(1, "changed again");

        Assert.True(copies.TryGetCopy(store.BucketIndexOf(1), out var copy));
        Assert.Equal([new KeyValuePair<int, string>(1, "v1")], copy.ToArray());
        // The run's other buckets are still read from the table.
        Assert.False(copies.TryGetCopy(store.BucketIndexOf(neighbour), out _));
    }

    [Fact]
    public void AKeyAddedToAnEmptyBucket_LeavesAnEmptyCopy()
    {
        var store = StoreOf(1);
        var added = NeighbourOf(store, 1);
        using var copies = new BucketCopies<int, string>(store);

        copies.BeforeWriteLocked(added);
        store.SetLocked(added, "new");

        Assert.True(copies.TryGetCopy(store.BucketIndexOf(added), out var copy));
        Assert.True(copy.IsEmpty);
    }

    [Fact]
    public void OnceItsRunIsRead_AWriteKeepsNothing()
    {
        var store = StoreOf(1);
        using var copies = new BucketCopies<int, string>(store);
        var run = HashStore<int, string>.RunOfBucket(store.BucketIndexOf(1));

        copies.MarkRead(run);
        copies.BeforeWriteLocked(1);

        Assert.True(copies.WasRead(run));
        Assert.False(copies.TryGetCopy(store.BucketIndexOf(1), out _));
    }

    [Fact]
    public void CopiesOfBucketsOfOneStripe_KeepTheirOwnEntries()
    {
        // Chains of about thirteen keys, all in one stripe's buckets, copied in an order unlike the
        // array's; 40 and 60 share a chain, which is copied once.
        var store = new HashStore<int, string>(1, new FewHashCodes(5));
        for (var k = 0; k < 64; k++) store.SetLocked(k, "v" + k);
        store.HoldLayoutLocked();
        using var copies = new BucketCopies<int, string>(store);
        var written = new[] { 40, 3, 17, 3, 60 };

        foreach (var k in written)
        {
            copies.BeforeWriteLocked(k);
            store.SetLocked(k, "changed");
        }

        foreach (var k in written.Distinct())
        {
            Assert.True(copies.TryGetCopy(store.BucketIndexOf(k), out var copy));
            var expected = Enumerable.Range(0, 64).Where(x => x % 5 == k % 5).Order();
            Assert.Equal(expected, copy.ToArray().Select(e => e.Key).Order());
            Assert.All(copy.ToArray(), e => Assert.Equal("v" + e.Key, e.Value));
        }
    }
}
