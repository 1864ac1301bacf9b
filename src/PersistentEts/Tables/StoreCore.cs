using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// The part of a table that does not depend on how many objects a key holds: statistics, key
/// traversal, folds, selects and deletes by key. <typeparamref name="TBucket"/> is what the store keeps per
/// key: the object itself for sets, an immutable array for bags.
/// </summary>
internal abstract partial class StoreCore<TKey, TObject, TBucket> : TableCore<TKey, TObject> where TKey : notnull
{
    private const int StatsStride = 8; // 64 bytes: one cache line per stripe, so stripes never share one

    protected readonly IStore<TKey, TBucket> Store;
    protected readonly IEqualityComparer<TKey> KeyEquality;

    // Per stripe: [s*8] objects held, [s*8+1] changes made. Written only under the stripe's lock.
    private readonly long[] _stats;

    protected StoreCore(string name, TableOptions options, Func<TObject, TKey> keyOf, string keyDescription,
        IStore<TKey, TBucket> store, IEqualityComparer<TKey> keyEquality)
        : base(name, options, keyOf, keyDescription)
    {
        Store = store;
        KeyEquality = keyEquality;
        _stats = new long[store.StripeCount * StatsStride];
    }

    /// <summary>The objects in a bucket, as a span over the bucket (no copy).</summary>
    protected abstract ReadOnlySpan<TObject> Objects(ref TBucket bucket);

    public override long Count => SumStats(0);

    public override long ChangeCount => SumStats(1);

    public override long MemoryEstimate()
    {
        // A dictionary node or leaf slot per key plus a reference per object; payloads not counted.
        const int perKey = 48, perObject = 8;
        return 256 + Store.KeyCount * (long)perKey + Count * perObject;
    }

    private long SumStats(int field)
    {
        long total = 0;
        for (var i = field; i < _stats.Length; i += StatsStride) total += Volatile.Read(ref _stats[i]);
        return total;
    }

    /// <summary>Stores a bucket and records the change; the caller holds the key's stripe lock.</summary>
    protected void PutLocked(int stripe, TKey key, TBucket bucket, int objectDelta)
    {
        BeforeWriteLocked(key);
        Store.SetLocked(key, bucket);
        Account(stripe, objectDelta);
        ChangeLog?.Put(Objects(ref bucket));
    }

    /// <summary>Adds or replaces a single-object bucket, counting one object more when the key was new.</summary>
    protected void UpsertLocked(int stripe, TKey key, TBucket bucket)
    {
        BeforeWriteLocked(key);
        Account(stripe, Store.SetLocked(key, bucket) ? 1 : 0);
        ChangeLog?.Put(Objects(ref bucket));
    }

    /// <summary><see cref="UpsertLocked"/> for a hashed store known by its sealed type.</summary>
    protected void UpsertHashedLocked(HashStore<TKey, TBucket> store, int stripe, TKey key, TBucket bucket)
    {
        BeforeWriteLocked(key);
        Account(stripe, store.SetLocked(key, bucket) ? 1 : 0);
        ChangeLog?.Put(Objects(ref bucket));
    }

    /// <summary>Removes a key, whose bucket was <paramref name="removed"/>, and records the change; the caller holds the key's stripe lock.</summary>
    protected void RemoveLocked(int stripe, TKey key, TBucket removed, int objectDelta)
    {
        BeforeWriteLocked(key);
        Store.RemoveLocked(key);
        Account(stripe, objectDelta);
        if (ChangeLog is { } log) log.Remove(Objects(ref removed)[0]);
    }

    private void Account(int stripe, int objectDelta)
    {
        var i = stripe * StatsStride;
        Volatile.Write(ref _stats[i], _stats[i] + objectDelta);
        Volatile.Write(ref _stats[i + 1], _stats[i + 1] + 1);
    }

    public override bool Contains(TKey key) => Store.TryGet(key, out _);

    public override bool TryLookup(TKey key, out TObject obj)
    {
        if (Store.TryGet(key, out var bucket))
        {
            var objects = Objects(ref bucket);
            if (objects.Length > 0)
            {
                obj = objects[0];
                return true;
            }
        }
        obj = default!;
        return false;
    }

    public override IReadOnlyList<TObject> Lookup(TKey key)
    {
        if (!Store.TryGet(key, out var bucket)) return [];
        return Objects(ref bucket).ToArray();
    }

    public override bool Delete(TKey key) => TakeBucket(key, out _);

    public override IReadOnlyList<TObject> Take(TKey key) =>
        TakeBucket(key, out var objects) ? objects : [];

    private bool TakeBucket(TKey key, out TObject[] objects)
    {
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (!Store.TryGetLocked(key, out var bucket))
            {
                objects = [];
                return false;
            }
            objects = Objects(ref bucket).ToArray();
            RemoveLocked(stripe, key, bucket, -objects.Length);
            return true;
        }
    }

    public override void Clear()
    {
        var stripes = StripedLocks.All(Store);
        StripedLocks.EnterAll(Store, stripes);
        Store.EnterMultiKeyWrite();
        try
        {
            BeforeClearLocked();
            Store.ClearLocked();
            ChangeLog?.Clear();
            for (var s = 0; s < Store.StripeCount; s++)
            {
                var i = s * StatsStride;
                Volatile.Write(ref _stats[i], 0);
                Volatile.Write(ref _stats[i + 1], _stats[i + 1] + 1);
            }
        }
        finally
        {
            Store.ExitMultiKeyWrite();
            StripedLocks.ExitAll(Store, stripes);
        }
    }

    protected override void ClearForDestroy() => Clear();

    /// <summary>
    /// Visits every key under its stripe lock, with its bucket re-read there (the traversal itself holds no
    /// lock, so the bucket may have changed since it was seen), and sums what <paramref name="visit"/>
    /// returns: select-delete and select-replace, atomic per key as in ETS.
    /// </summary>
    protected long ForEachKeyLocked(Func<int, TKey, TBucket, long> visit)
    {
        long total = 0;
        foreach (var (key, _) in Buckets(false))
        {
            var stripe = Store.StripeOf(key);
            lock (Store.LockOf(stripe))
            {
                if (Store.TryGetLocked(key, out var bucket)) total += visit(stripe, key, bucket);
            }
        }
        return total;
    }

    /// <summary>The keys of a batch, each checked for null.</summary>
    protected TKey[] KeysOf(IReadOnlyList<TObject> objects)
    {
        var keys = new TKey[objects.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = KeyOfChecked(objects[i], nameof(objects));
        return keys;
    }

    /// <summary>Whether any of the keys is in the table; the caller holds their stripes.</summary>
    protected bool AnyKeyExistsLocked(TKey[] keys)
    {
        foreach (var k in keys)
        {
            if (Store.TryGetLocked(k, out _)) return true;
        }
        return false;
    }

    /// <summary>
    /// Runs <paramref name="apply"/> holding the stripes of every key in <paramref name="keys"/>, isolated
    /// from readers: the building block of atomic batch writes.
    /// </summary>
    protected TResult UnderKeyLocks<TResult>(IEnumerable<TKey> keys, Func<TResult> apply)
    {
        var stripes = StripedLocks.StripesOf(Store, keys);
        StripedLocks.EnterAll(Store, stripes);
        Store.EnterMultiKeyWrite();
        var log = ChangeLog;
        log?.BeginBatch(); // the whole multi-key write becomes one log record
        try
        {
            return apply();
        }
        finally
        {
            log?.EndBatch();
            Store.ExitMultiKeyWrite();
            StripedLocks.ExitAll(Store, stripes);
        }
    }
}
