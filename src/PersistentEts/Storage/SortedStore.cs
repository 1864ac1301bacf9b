namespace PersistentEts.Storage;

/// <summary>
/// The store of <c>ordered_set</c> tables: a sorted list of fixed-size sorted chunks (leaves), guarded by
/// one lock.
/// </summary>
/// <remarks>
/// Two binary searches find a key: one over the leaves' largest keys, one inside the leaf. Inserts shift at
/// most one leaf's worth of entries, so the structure keeps the cache-friendliness of arrays that a
/// red-black tree (<see cref="SortedDictionary{TKey, TValue}"/>) lacks. Every member, reads included, runs
/// under <see cref="LockOf"/>; the single stripe makes multi-key writes trivially isolated.
/// </remarks>
internal sealed partial class SortedStore<TKey, TBucket> : IOrderedStore<TKey, TBucket> where TKey : notnull
{
    private const int LeafCapacity = 128;

    private readonly IComparer<TKey> _comparer;
    private readonly object _lock = new();

    // Invariants (changed only under _lock, with _version odd meanwhile; read without the lock only by
    // TryGet, which discards what it read if _version moved): leaves are non-empty, sorted, disjoint and in
    // order; _maxKeys[i] is the last key of _leaves[i]; _count is the sum of the leaves' counts.
    private readonly List<Leaf> _leaves = [];
    private readonly List<TKey> _maxKeys = [];
    // Sampled levels over _maxKeys, refreshed (RefreshIndex) wherever _maxKeys changes; default order only.
    private readonly LeafIndex<TKey> _index = new();
    private int _count;

    // A sequence lock over the leaves, so that lookups need not take _lock: odd while a change (or a
    // multi-key write, for its whole length) is in progress, bumped with full fences, and only under _lock.
    // A lookup reads it, searches without the lock, and keeps its answer only if it is even and unchanged.
    private int _version;

    // Set once the table is destroyed, for handles that hold the store for their fast path (see HashStore).
    private volatile bool _retired;

    /// <summary>True until the store's table is destroyed: handles may call <see cref="TryGet"/> directly.</summary>
    public bool ReadsAreFast => !_retired;

    /// <summary>Marks the store's table destroyed.</summary>
    public void Retire() => _retired = true;
    private int _multiKeyDepth; // under _lock

    // The default comparer, used directly: Comparer<TKey>.Default is devirtualized by the JIT, the
    // interface field is not, and a lookup makes some twenty comparisons.
    private readonly bool _defaultComparer;

    // False for a store that only its owner's lock ever reaches (a capture's copies of leaves): no lookup runs
    // without the lock, so changes skip the two interlocked bumps of _version that such lookups need.
    private readonly bool _lockFreeReads;

    /// <param name="comparer">Key order; the default order when null.</param>
    /// <param name="lockFreeReads">Whether <see cref="TryGet"/> may search without the lock (see <c>_version</c>).</param>
    public SortedStore(IComparer<TKey>? comparer, bool lockFreeReads = true)
    {
        _lockFreeReads = lockFreeReads;
        _comparer = comparer ?? Comparer<TKey>.Default;
        _defaultComparer = ReferenceEquals(_comparer, Comparer<TKey>.Default);
    }

    public IComparer<TKey> Comparer => _comparer;

    public int StripeCount => 1;

    public int KeyCount => Volatile.Read(ref _count);

    public int StripeOf(TKey key) => 0;

    public object LockOf(int stripe) => _lock;

    /// <summary>
    /// A lookup that queues behind no one: searched without the lock and kept if no change ran meanwhile,
    /// otherwise (or while one runs) done again under the lock. A search that races a change may read a
    /// half-moved leaf; whatever that does, even throw, is discarded.
    /// </summary>
    public bool TryGet(TKey key, out TBucket bucket)
    {
        var before = Volatile.Read(ref _version);
        if (_lockFreeReads && (before & 1) == 0)
        {
            try
            {
                var found = TryGetLocked(key, out bucket);
                // The reads above complete before the version is read again: a load-load fence, which costs
                // nothing on x64; a full fence here stalled every lookup until its reads were done.
                Volatile.ReadBarrier();
                if (Volatile.Read(ref _version) == before) return found;
            }
            catch (Exception) when (Volatile.Read(ref _version) != before)
            {
                // Read across a change: the locked lookup below answers.
            }
        }
        lock (_lock) return TryGetLocked(key, out bucket);
    }

    private void BeginChange()
    {
        if (_lockFreeReads && _multiKeyDepth == 0) Interlocked.Increment(ref _version);
    }

    private void EndChange()
    {
        if (_lockFreeReads && _multiKeyDepth == 0) Interlocked.Increment(ref _version);
    }

    public bool TryGetLocked(TKey key, out TBucket bucket)
    {
        var li = LeafAtOrAfter(key);
        if (li >= 0)
        {
            var leaf = _leaves[li];
            var i = Search(leaf.Keys, leaf.Count, key);
            if (i >= 0)
            {
                bucket = leaf.Values[i];
                return true;
            }
        }
        bucket = default!;
        return false;
    }

    public bool SetLocked(TKey key, TBucket bucket) => PutLocked(key, bucket, replace: true);

    /// <summary>Adds a key that is not there yet; one that is keeps its bucket. True when added. The caller holds the lock.</summary>
    public bool TryAddLocked(TKey key, TBucket bucket) => PutLocked(key, bucket, replace: false);

    private bool PutLocked(TKey key, TBucket bucket, bool replace)
    {
        BeginChange();
        try
        {
            return SetChanging(key, bucket, replace);
        }
        finally
        {
            EndChange();
        }
    }

    /// <summary>Sets or (unless <paramref name="replace"/> is false) leaves a key's bucket; true when the key is new.</summary>
    private bool SetChanging(TKey key, TBucket bucket, bool replace)
    {
        if (_leaves.Count == 0)
        {
            var first = new Leaf { Mark = _captureMark };
            first.Keys[0] = key;
            first.Values[0] = bucket;
            first.Count = 1;
            _leaves.Add(first);
            _maxKeys.Add(key);
            RefreshIndex(0);
            _count = 1;
            return true;
        }
        var last = _leaves.Count - 1;
        if (Compare(_maxKeys[last], key) < 0)
        {
            AppendChanging(last, key, bucket);
            return true;
        }
        var li = LeafAtOrAfter(key);
        var leaf = _leaves[li];
        var i = Search(leaf.Keys, leaf.Count, key);
        if (i >= 0)
        {
            if (replace) leaf.Values[i] = bucket;
            return false;
        }
        i = ~i;
        if (leaf.Count == LeafCapacity)
        {
            SplitLeaf(li);
            if (i > leaf.Count)
            {
                i -= leaf.Count;
                li++;
                leaf = _leaves[li];
            }
        }
        leaf.InsertAt(i, key, bucket);
        if (i == leaf.Count - 1)
        {
            _maxKeys[li] = key;
            RefreshIndex(li);
        }
        Volatile.Write(ref _count, _count + 1);
        return true;
    }

    /// <summary>
    /// Adds a key larger than every other: into the last leaf, or a new one when it is full. Keys that
    /// arrive in order (a load, rising ids) thus fill whole leaves, where splitting would leave each half full.
    /// </summary>
    private void AppendChanging(int last, TKey key, TBucket bucket)
    {
        var leaf = _leaves[last];
        if (leaf.Count == LeafCapacity)
        {
            leaf = new Leaf { Mark = _captureMark };
            _leaves.Add(leaf);
            _maxKeys.Add(key);
            last++;
        }
        leaf.Keys[leaf.Count] = key;
        leaf.Values[leaf.Count] = bucket;
        leaf.Count++;
        _maxKeys[last] = key;
        RefreshIndex(last);
        Volatile.Write(ref _count, _count + 1);
    }

    public bool RemoveLocked(TKey key)
    {
        BeginChange();
        try
        {
            return RemoveChanging(key);
        }
        finally
        {
            EndChange();
        }
    }

    private bool RemoveChanging(TKey key)
    {
        var li = LeafAtOrAfter(key);
        if (li < 0) return false;
        var leaf = _leaves[li];
        var i = Search(leaf.Keys, leaf.Count, key);
        if (i < 0) return false;
        leaf.RemoveAt(i);
        if (leaf.Count == 0)
        {
            _leaves.RemoveAt(li);
            _maxKeys.RemoveAt(li);
            RefreshIndex(li);
        }
        else if (i == leaf.Count)
        {
            _maxKeys[li] = leaf.Keys[leaf.Count - 1];
            RefreshIndex(li);
        }
        Volatile.Write(ref _count, _count - 1);
        return true;
    }

    public void ClearLocked()
    {
        BeginChange();
        _leaves.Clear();
        _maxKeys.Clear();
        _index.Clear();
        Volatile.Write(ref _count, 0);
        EndChange();
    }

    // The version stays odd for the whole multi-key write, so no lookup keeps an answer read inside it.
    public void EnterMultiKeyWrite()
    {
        if (_multiKeyDepth++ == 0) Interlocked.Increment(ref _version);
    }

    public void ExitMultiKeyWrite()
    {
        if (--_multiKeyDepth == 0) Interlocked.Increment(ref _version);
    }

    private void SplitLeaf(int li)
    {
        var leaf = _leaves[li];
        // The halves of a leaf a capture copied are still covered by its copy.
        var right = new Leaf { Mark = leaf.Mark };
        var half = leaf.Count / 2;
        right.Count = leaf.Count - half;
        Array.Copy(leaf.Keys, half, right.Keys, 0, right.Count);
        Array.Copy(leaf.Values, half, right.Values, 0, right.Count);
        Array.Clear(leaf.Keys, half, right.Count);
        Array.Clear(leaf.Values, half, right.Count);
        leaf.Count = half;
        _leaves.Insert(li + 1, right);
        _maxKeys.Insert(li + 1, _maxKeys[li]);
        _maxKeys[li] = leaf.Keys[half - 1];
        RefreshIndex(li);
    }

    private int Compare(TKey a, TKey b) => _defaultComparer ? Comparer<TKey>.Default.Compare(a, b) : _comparer.Compare(a, b);

    /// <summary>
    /// <paramref name="key"/>'s index among a leaf's first <paramref name="count"/> keys, or the bitwise
    /// complement of where it would go (as <see cref="Array.BinarySearch(Array, object)"/> answers).
    /// </summary>
    private int Search(TKey[] keys, int count, TKey key)
    {
        if (!_defaultComparer) return Array.BinarySearch(keys, 0, count, key, _comparer);
        var i = SortedKeySearch<TKey>.CountBelow(keys.AsSpan(0, count), key);
        return i < count && Comparer<TKey>.Default.Compare(keys[i], key) == 0 ? i : ~i;
    }

    /// <summary>Index of the first leaf whose largest key is ≥ <paramref name="key"/>, or -1.</summary>
    private int LeafAtOrAfter(TKey key)
    {
        if (_defaultComparer)
        {
            var maxKeys = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_maxKeys);
            var at = _index.LowerBound(maxKeys, key);
            return at < maxKeys.Length ? at : -1;
        }
        int lo = 0, hi = _maxKeys.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Compare(_maxKeys[mid], key) < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return lo < _maxKeys.Count ? lo : -1;
    }

    // Only the default order searches the index (LeafAtOrAfter), so only it keeps the index up to date.
    private void RefreshIndex(int fromLeaf)
    {
        if (_defaultComparer) _index.Refresh(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_maxKeys), fromLeaf);
    }

    private sealed class Leaf
    {
        public readonly TKey[] Keys = new TKey[LeafCapacity];
        public readonly TBucket[] Values = new TBucket[LeafCapacity];
        public int Count;

        // The capture this leaf was copied for or made during (see SortedStore.Capture.cs); under the lock.
        public int Mark;

        public void InsertAt(int i, TKey key, TBucket value)
        {
            if (i < Count)
            {
                Array.Copy(Keys, i, Keys, i + 1, Count - i);
                Array.Copy(Values, i, Values, i + 1, Count - i);
            }
            Keys[i] = key;
            Values[i] = value;
            Count++;
        }

        public void RemoveAt(int i)
        {
            Count--;
            if (i < Count)
            {
                Array.Copy(Keys, i + 1, Keys, i, Count - i);
                Array.Copy(Values, i + 1, Values, i, Count - i);
            }
            Keys[Count] = default!;
            Values[Count] = default!;
        }
    }
}
