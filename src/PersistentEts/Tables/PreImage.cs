namespace PersistentEts.Tables;

/// <summary>The old value of a key as of a snapshot's instant: whether it existed, and its bucket.</summary>
internal readonly record struct PreImage<TBucket>(bool Existed, TBucket Bucket);
