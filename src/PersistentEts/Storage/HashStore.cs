using System.Runtime.CompilerServices;

namespace PersistentEts.Storage;

/// <summary>
/// The store of <c>set</c>, <c>bag</c> and <c>duplicate_bag</c> tables: a hash table of our own, with one
/// bucket array for the whole table and writer lock stripes over it. A key's stripe is a few of the low
/// bits of its bucket index, so a stripe owns every bucket whose index has those bits, and keeps them when
/// the array doubles. A stripe's buckets are changed only under its lock, which is therefore the only lock a
/// write takes (a table's read-modify-writes, multi-key writes and snapshots already hold it); reads take
/// no lock at all. A snapshot reads the array run of buckets by run, in order, each run under its
/// stripe's lock, with no pass to sort keys first.
/// </summary>
/// <remarks>
/// Chains are immutable: a write builds the nodes it changes and publishes the chain's new head with one
/// release write, so a reader walking a chain sees it entirely as it was before or after the write. The
/// one exception is a set's value, one reference replaced in place with a release write (a node may be in
/// both the old and the grown array, and the write is then seen through both). The array grows under
/// every stripe's lock (as <c>ConcurrentDictionary</c>'s does) by building a new array, which shares the
/// old one's nodes where it can, and publishing it the same way.
/// </remarks>
internal sealed class HashStore<TKey, TBucket> : IStore<TKey, TBucket> where TKey : notnull
{
    /// <summary>One node of a chain; never changed once published, except its value where that is one reference (see <see cref="ValueWriteIsAtomic"/>).</summary>
    private sealed class Node(TKey key, int hash, TBucket value, Node? next)
    {
        public readonly TKey Key = key;
        public readonly int Hash = hash;
        public TBucket Value = value;
        public readonly Node? Next = next;
    }

    // A set's bucket is one reference, written and read whole by the processor: replacing a key's object
    // then writes the node's value in place, as ConcurrentDictionary does, instead of building a new node
    // and copying the chain before it (a node less to allocate per update, and for the collector to
    // promote: every update's survivors are what ephemeral collections copy). A bag's bucket is a struct of
    // two fields, which a reader could see half written, so its nodes are replaced whole.
    private static readonly bool ValueWriteIsAtomic = !typeof(TBucket).IsValueType;

    // The table's chains: a power of two long, never shorter than RunLength × the stripe count (so that
    // every bucket belongs to one stripe, see StripeOfMixed). Its heads change in place only under their
    // stripe's lock; the array is replaced whole, under every stripe's lock, when it grows or is cleared.
    // Read by anyone, with no lock.
    // One array, not one per stripe: a lookup is bound by two cache misses (the bucket, then the node), and
    // how many lookups the processor overlaps depends on how few instructions sit around them; an array
    // of arrays put a third dependent load before the first miss and cost lookups a quarter of their speed.
    private Node?[] _buckets;
    // Keys per stripe at [stripe * CountStride], changed only under the stripe's lock; one cache line
    // apart, so writers of different stripes do not share a line.
    private readonly int[] _counts;
    private const int CountStride = 16;
    // Keys one stripe may hold before its writer tries to grow the array: the array's length per stripe
    // (a load of one), doubled instead while the whole table is less than half full (keys that crowd into
    // few stripes must not grow the array for the rest). Changed only under every stripe's lock.
    private int _budget;
    // Snapshot captures in progress, which read the table run by run and need every key to stay in its run
    // until they end: while it is above zero the array neither grows nor shrinks. Changed only under every
    // stripe's lock.
    private int _layoutHolds;
    private readonly IEqualityComparer<TKey> _comparer;
    private readonly bool _defaultComparer;
    private readonly StripeLock[] _locks;
    private readonly int _mask;
    private readonly int _initialBuckets;

    // Why lookups may not take the fast path: the number of multi-key writes in progress (while one runs,
    // readers take the key's stripe lock, so they cannot see half of a batch), plus CustomComparer when
    // keys use a comparer of their own. Readers read it once per lookup; one field, so that the fast path
    // tests one value (a lookup's speed depends on how few instructions surround its cache misses).
    private int _slowReads;

    private const int CustomComparer = 1 << 30;

    // Set once the table is destroyed: handles that hold the store for their fast path fall back to their
    // checked path, which reports the table's end; lookups through the table itself still answer (locked).
    private const int Retired = 1 << 29;

    /// <param name="stripes">Writer lock stripes, a power of two.</param>
    /// <param name="comparer">Key equality.</param>
    /// <param name="capacity">Expected key count (known when loading a file), so the array never has to grow.</param>
    public HashStore(int stripes, IEqualityComparer<TKey>? comparer, int capacity = 0)
    {
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        _defaultComparer = ReferenceEquals(_comparer, EqualityComparer<TKey>.Default);
        _slowReads = _defaultComparer ? 0 : CustomComparer;
        _locks = new StripeLock[stripes];
        for (var i = 0; i < stripes; i++) _locks[i] = new StripeLock();
        _mask = stripes - 1;
        _initialBuckets = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(stripes * RunLength, capacity));
        _buckets = new Node?[_initialBuckets];
        _budget = _initialBuckets / stripes;
        _counts = new int[stripes * CountStride];
    }

    public int StripeCount => _locks.Length;

    /// <summary>Keys in the table; exact while the caller holds every stripe lock, a moment's sum otherwise.</summary>
    public int KeyCount
    {
        get
        {
            var n = 0;
            for (var i = 0; i < _counts.Length; i += CountStride) n += Volatile.Read(ref _counts[i]);
            return n;
        }
    }

    /// <summary>Length of the bucket array: the table's size in chains, whatever the key count.</summary>
    public int BucketCount => Volatile.Read(ref _buckets).Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int HashOf(TKey key) =>
        // EqualityComparer<TKey>.Default is devirtualized by the JIT; the interface call is not.
        _defaultComparer ? EqualityComparer<TKey>.Default.GetHashCode(key) : _comparer.GetHashCode(key);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Same(TKey a, TKey b) => _defaultComparer ? EqualityComparer<TKey>.Default.Equals(a, b) : _comparer.Equals(a, b);

    // The hash's high half added to its low half, modulo 2^16 (the high half kept as is), so that hashes
    // that differ only in their high bits still spread over buckets and stripes (what Java's HashMap gets
    // from h ^ (h >>> 16) for its power-of-two tables), while keys with consecutive hashes (sequential ids)
    // sit in consecutive buckets: an insert in key order then writes the array in order, and a snapshot
    // reads nodes and objects in the order they were made. The exclusive or did not keep that order: it
    // reversed and swapped neighbours within each 16 keys beyond key 65,535, and encoding a million rows
    // in that order took 1.8× the processor time of encoding them in key order (121 ms against 66 ms; the
    // hardware prefetcher follows only a forward walk). A bijection, so distinct hashes never meet in one
    // bucket of an array as long as the hashes' range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(int hash)
    {
        var h = (uint)hash;
        return (h & 0xFFFF_0000u) | ((h + (h >> 16)) & 0xFFFFu);
    }

    // The bucket takes the mixed hash's low bits. The array is cut into runs of RunLength consecutive
    // buckets, and the runs are dealt to the stripes in turn (a key's stripe is the bits just above the
    // lowest RunBits of its bucket index), so a stripe keeps its runs whatever the array's length (never
    // below RunLength × the stripe count). A snapshot reads the array run by run, in order, each under its
    // stripe's lock: with consecutive keys in consecutive buckets, that is the order of the nodes and objects
    // in memory. (Read stripe by stripe instead, the walk jumped a stripe count of keys at each step, and
    // missed the cache at almost every node and object: a save took 1.5–2× the processor time.)
    private const int RunBits = 4;
    private const int RunLength = 1 << RunBits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BucketOf(uint mixed, int length) => (int)(mixed & (uint)(length - 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int StripeOfMixed(uint mixed) => (int)(mixed >> RunBits) & _mask;

    public int StripeOf(TKey key) => StripeOfMixed(Mix(HashOf(key)));

    /// <summary>Runs of buckets in the array; stable while a layout hold is in place (see <see cref="HoldLayoutLocked"/>).</summary>
    public int RunCount => Volatile.Read(ref _buckets).Length >> RunBits;

    /// <summary>The run that holds <paramref name="key"/>'s bucket; stable while a layout hold is in place.</summary>
    public int RunOf(TKey key) => BucketOf(Mix(HashOf(key)), Volatile.Read(ref _buckets).Length) >> RunBits;

    /// <summary>The stripe whose lock guards a run.</summary>
    public int StripeOfRun(int run) => run & _mask;

    /// <summary>Buckets per run: runs are this many consecutive buckets of the array.</summary>
    public const int BucketsPerRun = RunLength;

    /// <summary>The index of <paramref name="key"/>'s bucket in the array; stable while a layout hold is in place.</summary>
    public int BucketIndexOf(TKey key) => BucketOf(Mix(HashOf(key)), Volatile.Read(ref _buckets).Length);

    /// <summary>The run that holds a bucket.</summary>
    public static int RunOfBucket(int bucket) => bucket >> RunBits;

    /// <summary>
    /// Keeps every key in its run (the array neither grows nor is replaced by a shorter one) until
    /// <see cref="ReleaseLayoutLocked"/>; for a snapshot capture, which reads run by run. The caller holds every stripe lock.
    /// </summary>
    public void HoldLayoutLocked() => _layoutHolds++;

    /// <summary>Ends what <see cref="HoldLayoutLocked"/> began; the caller holds every stripe lock.</summary>
    public void ReleaseLayoutLocked() => _layoutHolds--;

    public object LockOf(int stripe) => _locks[stripe];

    public bool TryGet(TKey key, out TBucket bucket)
    {
        if (Volatile.Read(ref _slowReads) != 0) return TryGetSlow(key, out bucket);
        return TryGetFast(key, out bucket);
    }

    /// <summary>
    /// True while a lookup may take <see cref="TryGetFast"/>: the default comparer, no batch in progress, and
    /// the table not destroyed. Handles read this, then look up, with no other load in between.
    /// </summary>
    public bool ReadsAreFast
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _slowReads) == 0;
    }

    /// <summary>Marks the store's table destroyed (see the field <c>Retired</c>).</summary>
    public void Retire() => Interlocked.Or(ref _slowReads, Retired);

    /// <summary>The lookup with nothing around it; only when <see cref="ReadsAreFast"/> was just true.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetFast(TKey key, out TBucket bucket)
    {
        // The default comparer and no batch in progress: the loop with nothing around it.
        var hash = EqualityComparer<TKey>.Default.GetHashCode(key);
        var buckets = _buckets;
        for (var n = buckets[BucketOf(Mix(hash), buckets.Length)]; n is not null; n = n.Next)
        {
            if (n.Hash == hash && EqualityComparer<TKey>.Default.Equals(n.Key, key))
            {
                bucket = n.Value;
                return true;
            }
        }
        bucket = default!;
        return false;
    }

    // Out of line: a method with a lock (a try/finally) is never inlined, and TryGet must be.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryGetSlow(TKey key, out TBucket bucket)
    {
        if ((Volatile.Read(ref _slowReads) & ~(CustomComparer | Retired)) == 0) return TryGetLocked(key, out bucket);
        lock (_locks[StripeOf(key)])
            return TryGetLocked(key, out bucket);
    }

    /// <summary>The lookup for any comparer; lock-free, so also what readers run when they cannot take the fast path.</summary>
    public bool TryGetLocked(TKey key, out TBucket bucket)
    {
        var hash = HashOf(key);
        // Plain loads, not Volatile.Read: taking a ref to an element of an array of references in shared
        // generic code costs a type-check helper call per element. A reader only follows references, and the
        // memory model keeps a read through a reference after the read of the reference; the writer
        // publishes with release writes.
        var buckets = _buckets;
        for (var n = buckets[BucketOf(Mix(hash), buckets.Length)]; n is not null; n = n.Next)
        {
            if (n.Hash == hash && Same(n.Key, key))
            {
                bucket = n.Value;
                return true;
            }
        }
        bucket = default!;
        return false;
    }

    /// <summary>Adds or replaces; true when the key was new. The caller holds the key's stripe lock.</summary>
    public bool SetLocked(TKey key, TBucket bucket)
    {
        var (hash, stripe, buckets, index) = Locate(key);
        var head = buckets[index];
        if (Find(head, key, hash) is { } found)
        {
            if (ValueWriteIsAtomic) Volatile.Write(ref Unsafe.As<TBucket, object?>(ref found.Value), Unsafe.As<TBucket, object?>(ref bucket));
            else Volatile.Write(ref buckets[index], Replace(head!, found, new Node(key, hash, bucket, found.Next)));
            return false;
        }
        Volatile.Write(ref buckets[index], new Node(key, hash, bucket, head));
        if (++_counts[stripe * CountStride] > _budget) TryGrow();
        return true;
    }

    /// <summary>Removes a key; true when it was there. The caller holds the key's stripe lock.</summary>
    public bool RemoveLocked(TKey key)
    {
        var (hash, stripe, buckets, index) = Locate(key);
        var head = buckets[index];
        if (Find(head, key, hash) is not { } found) return false;
        Volatile.Write(ref buckets[index], Replace(head!, found, found.Next));
        _counts[stripe * CountStride]--;
        return true;
    }

    /// <summary>Where a key's chain is: its hash, stripe, the stripe's current buckets and the bucket's index.</summary>
    private (int Hash, int Stripe, Node?[] Buckets, int Index) Locate(TKey key)
    {
        var hash = HashOf(key);
        var mixed = Mix(hash);
        var buckets = _buckets;
        return (hash, StripeOfMixed(mixed), buckets, BucketOf(mixed, buckets.Length));
    }

    /// <summary>Empties the table; the caller holds every stripe lock.</summary>
    public void ClearLocked()
    {
        // Under a layout hold the array keeps its length, so that a capture's runs stay where they were.
        var length = _layoutHolds > 0 ? _buckets.Length : _initialBuckets;
        Volatile.Write(ref _buckets, new Node?[length]);
        _budget = length / _locks.Length;
        for (var i = 0; i < _locks.Length; i++) _counts[i * CountStride] = 0;
    }

    private Node? Find(Node? head, TKey key, int hash)
    {
        for (var n = head; n is not null; n = n.Next)
        {
            if (n.Hash == hash && Same(n.Key, key)) return n;
        }
        return null;
    }

    /// <summary>The chain from <paramref name="head"/> with <paramref name="target"/> replaced by <paramref name="replacement"/>'s chain: the nodes before it are copied.</summary>
    private static Node? Replace(Node head, Node target, Node? replacement)
    {
        if (ReferenceEquals(head, target)) return replacement;
        return new Node(head.Key, head.Hash, head.Value, Replace(head.Next!, target, replacement));
    }

    /// <summary>
    /// Grows the array when this thread can take every stripe's lock at once without waiting. The caller
    /// holds at least one stripe (a monitor is reentrant, so those it holds are taken again), and waiting
    /// for the others while holding it could deadlock with a writer waiting for it; when another thread
    /// holds one, the growth is left to a later insert, and chains are a little longer meanwhile.
    /// </summary>
    private void TryGrow()
    {
        // Under a layout hold (a capture is reading run by run) the growth waits for an insert after it. The
        // hold changes only under every stripe's lock, one of which the caller holds, so this read is exact.
        if (_layoutHolds > 0) return;
        var taken = 0;
        try
        {
            while (taken < _locks.Length && Monitor.TryEnter(_locks[taken])) taken++;
            if (taken < _locks.Length) return;
            var keys = KeyCount;
            var buckets = _buckets;
            if (keys < buckets.Length / 2)
            {
                // Keys crowd into a few stripes: let those stripes hold more rather than grow the array.
                _budget *= 2;
                return;
            }
            Grow(buckets);
        }
        finally
        {
            for (var i = 0; i < taken; i++) Monitor.Exit(_locks[i]);
        }
    }

    /// <summary>
    /// Doubles the array; the caller holds every stripe. A chain of the old array splits in two (a node's
    /// new bucket is its old one or that plus the old length). The chain's last run of nodes bound for one
    /// bucket moves as it is, shared by both arrays; only the nodes before it are copied. Nodes are never
    /// changed, so readers still walking the old array see it intact. With keys that do not collide (most
    /// chains one node long) almost nothing is copied, so growing allocates only the new array.
    /// </summary>
    private void Grow(Node?[] old)
    {
        var grown = new Node?[old.Length * 2];
        var mask = (uint)(grown.Length - 1);
        for (var i = 0; i < old.Length; i++)
        {
            var head = old[i];
            if (head is null) continue;
            var lastRun = head;
            var lastIndex = (int)(Mix(head.Hash) & mask);
            for (var n = head.Next; n is not null; n = n.Next)
            {
                var index = (int)(Mix(n.Hash) & mask);
                if (index == lastIndex) continue;
                lastRun = n;
                lastIndex = index;
            }
            grown[lastIndex] = lastRun;
            for (var n = head; n != lastRun; n = n!.Next)
            {
                var index = (int)(Mix(n!.Hash) & mask);
                grown[index] = new Node(n.Key, n.Hash, n.Value, grown[index]);
            }
        }
        _budget = grown.Length / _locks.Length;
        Volatile.Write(ref _buckets, grown);
    }

    public void EnterMultiKeyWrite() => Interlocked.Increment(ref _slowReads);

    public void ExitMultiKeyWrite() => Interlocked.Decrement(ref _slowReads);

    /// <summary>
    /// Calls <paramref name="visit"/> for every entry of one bucket; the caller holds the stripe lock of
    /// the bucket's run, so the bucket is exactly as of this moment.
    /// </summary>
    public void ForEachInBucketLocked<TState>(int bucket, ref TState state, VisitEntry<TKey, TBucket, TState> visit)
    {
        for (var n = _buckets[bucket]; n is not null; n = n.Next) visit(ref state, n.Key, n.Value);
    }

    /// <summary>
    /// Appends the values of one bucket's entries to <paramref name="into"/>; the caller holds the stripe
    /// lock of the bucket's run. What <see cref="ForEachInBucketLocked"/> does for a visitor that only
    /// collects values, without a delegate call per entry.
    /// </summary>
    public void AppendBucketLocked(int bucket, ObjectRun<TBucket> into)
    {
        for (var n = _buckets[bucket]; n is not null; n = n.Next) into.Add(n.Value);
    }

    /// <summary>A copy of all keys, read without locks (see <see cref="GetEnumerator"/>); traversals sort it into their walk order.</summary>
    public TKey[] WalkKeys()
    {
        var list = new List<TKey>();
        foreach (var kv in this) list.Add(kv.Key);
        return [.. list];
    }

    /// <summary>
    /// Every entry, lock-free: each chain as it was when the walk reached it, so an entry changed during the
    /// walk may be seen before or after the change, and an entry added or removed meanwhile may be missed
    /// (as <c>ConcurrentDictionary</c>'s enumerator). Callers that need one instant hold every stripe lock.
    /// </summary>
    public IEnumerator<KeyValuePair<TKey, TBucket>> GetEnumerator()
    {
        var buckets = Volatile.Read(ref _buckets);
        for (var b = 0; b < buckets.Length; b++)
        {
            for (var n = Volatile.Read(ref buckets[b]); n is not null; n = n.Next) yield return new(n.Key, n.Value);
        }
    }
}
