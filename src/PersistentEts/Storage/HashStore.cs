using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace PersistentEts.Storage;

/// <summary>
/// The store of <c>set</c>, <c>bag</c> and <c>duplicate_bag</c> tables: a <see cref="ConcurrentDictionary{TKey, TValue}"/>
/// for lock-free reads, plus striped writer locks that make read-modify-write, multi-key writes and
/// snapshots atomic.
/// </summary>
internal sealed class HashStore<TKey, TBucket> : IStore<TKey, TBucket> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TBucket> _map;
    private readonly IEqualityComparer<TKey> _comparer;
    private readonly bool _defaultComparer;
    private readonly StripeLock[] _locks;
    private readonly int _mask;

    // Number of multi-key writes in progress. Readers read it once per lookup: while it is zero they
    // read lock-free; otherwise they take the key's stripe lock, so they cannot see half of a batch.
    private int _multiKeyWriters;

    /// <param name="stripes">Writer lock stripes, a power of two.</param>
    /// <param name="comparer">Key equality.</param>
    /// <param name="capacity">Expected key count (known when loading a file), so the dictionary never has to grow.</param>
    public HashStore(int stripes, IEqualityComparer<TKey>? comparer, int capacity = 0)
    {
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        _defaultComparer = ReferenceEquals(_comparer, EqualityComparer<TKey>.Default);
        // The dictionary gets no comparer when ours is the default: only then does it take its devirtualized
        // path (for value-type keys) or its fast non-randomized string hashing, instead of two interface
        // calls per lookup.
        var given = _defaultComparer ? null : _comparer;
        _map = capacity > 0
            ? new ConcurrentDictionary<TKey, TBucket>(Environment.ProcessorCount, capacity, given)
            : new ConcurrentDictionary<TKey, TBucket>(given);
        _locks = new StripeLock[stripes];
        for (var i = 0; i < stripes; i++) _locks[i] = new StripeLock();
        _mask = stripes - 1;
    }

    public bool IsOrdered => false;

    public int StripeCount => _locks.Length;

    // ConcurrentDictionary.Count takes every internal lock; callers needing a cheap count keep their own.
    public int KeyCount => _map.Count;

    /// <summary>Number of partitions: finer than stripes, and each lies within one stripe.</summary>
    public const int Partitions = 4096;

    public int StripeOf(TKey key) => PartitionOf(key) & _mask;

    /// <summary>
    /// The key's partition, 0 to <see cref="Partitions"/> − 1. Its stripe is <c>partition &amp; (stripes − 1)</c>,
    /// so a snapshot can emit one small partition at a time under that stripe's lock.
    /// </summary>
    public int PartitionOf(TKey key)
    {
        // Mix the hash so that keys that differ only in high bits still spread over partitions.
        // EqualityComparer<TKey>.Default is devirtualized by the JIT; the interface call is not.
        var hash = _defaultComparer ? EqualityComparer<TKey>.Default.GetHashCode(key) : _comparer.GetHashCode(key);
        var h = (uint)hash * 0x9E3779B9u;
        return (int)(h >> 16) & (Partitions - 1);
    }

    /// <summary>The stripe that guards a partition.</summary>
    public int StripeOfPartition(int partition) => partition & _mask;

    public object LockOf(int stripe) => _locks[stripe];

    public bool TryGet(TKey key, out TBucket bucket) =>
        Volatile.Read(ref _multiKeyWriters) == 0 ? _map.TryGetValue(key, out bucket!) : TryGetIsolated(key, out bucket);

    // Out of line: a method with a lock (a try/finally) is never inlined, and TryGet must be.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryGetIsolated(TKey key, out TBucket bucket)
    {
        lock (_locks[StripeOf(key)])
            return _map.TryGetValue(key, out bucket!);
    }

    public bool TryGetLocked(TKey key, out TBucket bucket) => _map.TryGetValue(key, out bucket!);

    public bool SetLocked(TKey key, TBucket bucket)
    {
        if (_map.TryAdd(key, bucket)) return true;
        _map[key] = bucket;
        return false;
    }

    public bool RemoveLocked(TKey key) => _map.TryRemove(key, out _);

    public void ClearLocked() => _map.Clear();

    public void EnterMultiKeyWrite() => Interlocked.Increment(ref _multiKeyWriters);

    public void ExitMultiKeyWrite() => Interlocked.Decrement(ref _multiKeyWriters);

    // Hashed stores are traversed through their enumerator or WalkKeys, never by position.
    public List<KeyValuePair<TKey, TBucket>> CopyRange(bool hasAfter, TKey after, int max, bool descending) =>
        throw new InvalidOperationException("Hashed stores have no key order.");

    public TKey[] WalkKeys()
    {
        var list = new List<TKey>();
        foreach (var kv in _map) list.Add(kv.Key);
        return [.. list];
    }

    public bool TryNeighbour(TKey key, bool next, out TKey neighbour) =>
        throw new InvalidOperationException("Hashed stores have no key order.");

    public bool TryEdge(bool first, out TKey key) =>
        throw new InvalidOperationException("Hashed stores have no key order.");

    /// <summary>Enumerates the live entries without locks; concurrent writes may or may not be seen.</summary>
    public IEnumerator<KeyValuePair<TKey, TBucket>> GetEnumerator() => _map.GetEnumerator();
}
