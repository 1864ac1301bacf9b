namespace PersistentEts.Storage;

/// <summary>
/// One entry of a store, met by a walk that runs under the store's lock (a snapshot's capture), with the
/// caller's state passed by reference so that the walk allocates nothing.
/// </summary>
internal delegate void VisitEntry<TKey, TBucket, TState>(ref TState state, TKey key, TBucket bucket);
