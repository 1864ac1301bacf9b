namespace PersistentEts.Tables;

/// <summary>The old value of a key as of a snapshot's instant: whether it existed, and its bucket.</summary>
internal readonly record struct PreImage<TBucket>(bool Existed, TBucket Bucket);

/// <summary>
/// The pre-images of one snapshot capture. Hashed tables use a concurrent hash map (writers of different
/// stripes add at once); ordered tables use a sorted map under their single lock, because an ordered
/// table's keys need not hash consistently with its comparer.
/// </summary>
internal sealed class PreImageMap<TKey, TBucket> where TKey : notnull
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, PreImage<TBucket>>? _hashed;
    private readonly SortedDictionary<TKey, PreImage<TBucket>>? _ordered;

    private PreImageMap(IEqualityComparer<TKey>? equality, IComparer<TKey>? order)
    {
        if (order is not null) _ordered = new SortedDictionary<TKey, PreImage<TBucket>>(order);
        else _hashed = new System.Collections.Concurrent.ConcurrentDictionary<TKey, PreImage<TBucket>>(equality);
    }

    public static PreImageMap<TKey, TBucket> ForHashed(IEqualityComparer<TKey> equality) => new(equality, null);

    /// <summary>For ordered tables: every call must hold the table's lock.</summary>
    public static PreImageMap<TKey, TBucket> ForOrdered(IComparer<TKey> order) => new(null, order);

    public bool ContainsKey(TKey key) => _hashed?.ContainsKey(key) ?? _ordered!.ContainsKey(key);

    public void TryAdd(TKey key, PreImage<TBucket> pre)
    {
        if (_hashed is not null) _hashed.TryAdd(key, pre);
        else _ordered!.TryAdd(key, pre);
    }

    public bool TryRemove(TKey key, out PreImage<TBucket> pre)
    {
        if (_hashed is not null)
        {
            // A lock-free look first: most keys have no pre-image, and TryRemove always takes a lock.
            if (!_hashed.ContainsKey(key))
            {
                pre = default;
                return false;
            }
            return _hashed.TryRemove(key, out pre);
        }
        return _ordered!.Remove(key, out pre);
    }

    /// <summary>What is left; call only once the capture is closed (no writer adds any more).</summary>
    public IEnumerable<PreImage<TBucket>> Remaining() => (IEnumerable<PreImage<TBucket>>?)_hashed?.Values ?? _ordered!.Values;
}
