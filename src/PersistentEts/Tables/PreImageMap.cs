namespace PersistentEts.Tables;

/// <summary>The old value of a key as of a snapshot's instant: whether it existed, and its bucket.</summary>
internal readonly record struct PreImage<TBucket>(bool Existed, TBucket Bucket);

/// <summary>
/// The pre-images of one snapshot capture. Hashed tables use a concurrent hash map (writers of different
/// stripes add at once); ordered tables use a sorted map under their single lock, because an ordered
/// table's keys need not hash consistently with its comparer.
/// </summary>
/// <remarks>
/// An ordered capture is read in ascending key order, and a writer saves a pre-image only for a key past
/// the reader's cursor. So the reader can ask about each key it meets with one comparison against the
/// map's smallest key instead of a search of the tree: smaller, and the key has none. A smallest key that
/// the reader has gone past was deleted before the reader got to it; it is moved aside for the leftovers.
/// Before this, every key of the table cost a tree search under the table's lock while writers waited.
/// </remarks>
internal sealed class PreImageMap<TKey, TBucket> where TKey : notnull
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TKey, PreImage<TBucket>>? _hashed;
    private readonly SortedDictionary<TKey, PreImage<TBucket>>? _ordered;
    private readonly IComparer<TKey>? _order;

    // Hashed only: how many pre-images were ever added. A writer adds one under its key's stripe lock and
    // the reader asks about a key under the same lock, so a reader that sees 0 knows its key has none: a
    // save that no writer meets then asks the map nothing (a hash lookup per key: in a profile of 40 saves
    // of a million-row set, the capture's walk took a third less of the samples without it).
    private int _hashedAdded;

    // Ordered only, under the table's lock: the smallest key in _ordered (valid when _hasMin, which is false
    // exactly when _ordered is empty), and the pre-images of keys the reader went past without meeting.
    private TKey _min = default!;
    private bool _hasMin;
    private readonly List<PreImage<TBucket>> _passed = [];

    private PreImageMap(IEqualityComparer<TKey>? equality, IComparer<TKey>? order)
    {
        _order = order;
        if (order is not null) _ordered = new SortedDictionary<TKey, PreImage<TBucket>>(order);
        else _hashed = new System.Collections.Concurrent.ConcurrentDictionary<TKey, PreImage<TBucket>>(equality);
    }

    public static PreImageMap<TKey, TBucket> ForHashed(IEqualityComparer<TKey> equality) => new(equality, null);

    /// <summary>For ordered tables: every call must hold the table's lock.</summary>
    public static PreImageMap<TKey, TBucket> ForOrdered(IComparer<TKey> order) => new(null, order);

    public bool ContainsKey(TKey key) => _hashed?.ContainsKey(key) ?? _ordered!.ContainsKey(key);

    public void TryAdd(TKey key, PreImage<TBucket> pre)
    {
        if (_hashed is not null)
        {
            if (_hashed.TryAdd(key, pre)) Interlocked.Increment(ref _hashedAdded);
            return;
        }
        if (!_ordered!.TryAdd(key, pre)) return;
        if (!_hasMin || _order!.Compare(key, _min) < 0)
        {
            _min = key;
            _hasMin = true;
        }
    }

    /// <summary>
    /// The capture's reader meets <paramref name="key"/>: takes its pre-image, if any. On an ordered table
    /// the reader must meet keys in ascending order (see the remarks).
    /// </summary>
    public bool TryRemove(TKey key, out PreImage<TBucket> pre)
    {
        if (_hashed is not null)
        {
            // A lock-free look first: most keys have no pre-image, and TryRemove always takes a lock.
            if (Volatile.Read(ref _hashedAdded) == 0 || !_hashed.ContainsKey(key))
            {
                pre = default;
                return false;
            }
            return _hashed.TryRemove(key, out pre);
        }
        return TakeOrdered(key, out pre);
    }

    /// <summary>Ordered: the reader meets <paramref name="key"/>, which is past every key it met before.</summary>
    private bool TakeOrdered(TKey key, out PreImage<TBucket> pre)
    {
        while (_hasMin)
        {
            var c = _order!.Compare(key, _min);
            if (c < 0) break;
            _ordered!.Remove(_min, out pre);
            NextMin();
            if (c == 0) return true;
            // The reader went past this key: it was deleted before the reader got to it.
            _passed.Add(pre);
        }
        pre = default;
        return false;
    }

    private void NextMin()
    {
        _hasMin = false;
        foreach (var entry in _ordered!)
        {
            _min = entry.Key;
            _hasMin = true;
            break;
        }
    }

    /// <summary>What is left; call only once the capture is closed (no writer adds any more).</summary>
    public IEnumerable<PreImage<TBucket>> Remaining() =>
        (IEnumerable<PreImage<TBucket>>?)_hashed?.Values ?? _passed.Concat(_ordered!.Values);
}
