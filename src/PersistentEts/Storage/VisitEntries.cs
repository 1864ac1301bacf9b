namespace PersistentEts.Storage;

/// <summary>
/// A stretch of consecutive entries of one leaf of an ordered store, in key order, met by a walk that runs
/// under the store's lock (a snapshot's capture); a call per stretch rather than per entry, with the
/// caller's state passed by reference so that the walk allocates nothing.
/// </summary>
internal delegate void VisitEntries<TKey, TBucket, TState>(ref TState state, ReadOnlySpan<TKey> keys, ReadOnlySpan<TBucket> buckets);
