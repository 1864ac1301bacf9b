namespace PersistentEts.Storage;

/// <summary>A store that keeps its keys in comparer order (an ordered_set's), with what that order allows.</summary>
internal interface IOrderedStore<TKey, TBucket> : IStore<TKey, TBucket> where TKey : notnull
{
    /// <summary>The order of the keys.</summary>
    IComparer<TKey> Comparer { get; }

    /// <summary>
    /// Up to <paramref name="max"/> entries following <paramref name="after"/> (or from the start when
    /// <paramref name="hasAfter"/> is false), in key order, backwards when <paramref name="descending"/>,
    /// copied out so the caller can work on them without locks.
    /// </summary>
    List<KeyValuePair<TKey, TBucket>> CopyRange(bool hasAfter, TKey after, int max, bool descending);

    /// <summary>The first key strictly after (or before) <paramref name="key"/>.</summary>
    bool TryNeighbour(TKey key, bool next, out TKey neighbour);

    /// <summary>The smallest or largest key.</summary>
    bool TryEdge(bool first, out TKey key);

    /// <summary>Starts marking leaves for a snapshot capture (see <c>SortedStore.Capture.cs</c>); under the store's lock.</summary>
    void BeginLeafMarksLocked();

    /// <summary>Ends what <see cref="BeginLeafMarksLocked"/> began; under the store's lock.</summary>
    void EndLeafMarksLocked();

    /// <summary>Before a write of <paramref name="key"/> past a capture's cursor: marks the leaf it changes and returns that leaf's entries past the cursor, unless marked already; under the store's lock.</summary>
    KeyValuePair<TKey, TBucket>[]? MarkLeafForWriteLocked(TKey key, bool hasCursor, TKey cursor);

    /// <summary>
    /// Calls <paramref name="visit"/> for up to <paramref name="max"/> entries of the leaves a capture has
    /// not marked, following <paramref name="after"/> (or from the start when <paramref name="hasAfter"/> is
    /// false), in key order, once per stretch of one leaf; the caller holds the store's lock, so the entries
    /// are exactly as of this moment. Returns how many it met and, when any, the last key met.
    /// </summary>
    int ForEachUnmarkedAfterLocked<TState>(bool hasAfter, TKey after, int max, ref TState state, VisitEntries<TKey, TBucket, TState> visit, out TKey last);
}
