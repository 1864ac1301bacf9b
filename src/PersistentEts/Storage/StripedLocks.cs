namespace PersistentEts.Storage;

/// <summary>Takes and releases several stripe locks in ascending order, so multi-key writers never deadlock.</summary>
internal static class StripedLocks
{
    /// <summary>Enters every stripe in <paramref name="stripes"/>, which must be sorted and distinct.</summary>
    public static void EnterAll<TKey, TBucket>(IStore<TKey, TBucket> store, ReadOnlySpan<int> stripes) where TKey : notnull
    {
        foreach (var s in stripes) Monitor.Enter(store.LockOf(s));
    }

    /// <summary>Exits what <see cref="EnterAll{TKey, TBucket}(IStore{TKey, TBucket}, ReadOnlySpan{int})"/> entered.</summary>
    public static void ExitAll<TKey, TBucket>(IStore<TKey, TBucket> store, ReadOnlySpan<int> stripes) where TKey : notnull
    {
        for (var i = stripes.Length - 1; i >= 0; i--) Monitor.Exit(store.LockOf(stripes[i]));
    }

    /// <summary>The sorted, distinct stripes of a set of keys.</summary>
    public static int[] StripesOf<TKey, TBucket>(IStore<TKey, TBucket> store, IEnumerable<TKey> keys) where TKey : notnull
    {
        if (store.StripeCount == 1) return [0];
        var set = new SortedSet<int>();
        foreach (var k in keys) set.Add(store.StripeOf(k));
        return [.. set];
    }

    /// <summary>Every stripe, in order.</summary>
    public static int[] All<TKey, TBucket>(IStore<TKey, TBucket> store) where TKey : notnull =>
        Enumerable.Range(0, store.StripeCount).ToArray();
}
