namespace PersistentEts.Tests.Contract;

/// <summary>The object stored by the contract suite: a key, a payload value and a counter.</summary>
public sealed record Item<TKey>(TKey Key, int Value, long Hits = 0);
