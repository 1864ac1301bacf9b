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

    // The store again, as the kind it is: exactly one of these is set. Key order, and the walks and
    // snapshot partitions of hashing, are only on the store that has them.
    private protected readonly IOrderedStore<TKey, TBucket>? Ordered;
    private protected readonly HashStore<TKey, TBucket>? Hashed;

    // Per stripe: [s*8] objects held, [s*8+1] changes made. Written only under the stripe's lock.
    private readonly long[] _stats;

    protected StoreCore(string name, TableOptions options, Func<TObject, TKey> keyOf, string keyDescription,
        IStore<TKey, TBucket> store, IEqualityComparer<TKey> keyEquality, TableWiring<TKey, TObject> wiring)
        : base(name, options, keyOf, keyDescription, wiring)
    {
        Store = store;
        Ordered = store as IOrderedStore<TKey, TBucket>;
        Hashed = store as HashStore<TKey, TBucket>;
        if ((Ordered is null) == (Hashed is null)) throw new ArgumentException("A store is either ordered or hashed.", nameof(store));
        KeyEquality = keyEquality;
        _stats = new long[store.StripeCount * StatsStride];
    }

    /// <summary>The objects in a bucket, as a span over the bucket (no copy).</summary>
    protected abstract ReadOnlySpan<TObject> Objects(ref TBucket bucket);

    /// <summary>The bucket that holds exactly <paramref name="objects"/> (at least one).</summary>
    protected abstract TBucket BucketOf(ReadOnlySpan<TObject> objects);

    /// <summary>A loaded object joining a key's bucket: it replaces a set's object, and follows a bag's.</summary>
    protected abstract TBucket Joined(TBucket bucket, TObject obj);

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

    // Every write below follows one order, under the key's stripe lock: refuse if the owner's end began,
    // keep what a capture needs of the key, log the change (which may refuse it), remember how to undo it inside a
    // logged batch, and only then change the store. Whatever throws before the store changes leaves the
    // table as it was.

    /// <summary>Stores a bucket and records the change; the caller holds the key's stripe lock.</summary>
    protected void PutLocked(int stripe, TKey key, TBucket bucket, int objectDelta)
    {
        BeforeWriteLocked(key);
        if (ChangeLog is { } log) LogPutLocked(log, stripe, key, ref bucket);
        Store.SetLocked(key, bucket);
        Account(stripe, objectDelta);
    }

    /// <summary>Adds or replaces a single-object bucket, counting one object more when the key was new.</summary>
    protected void UpsertLocked(int stripe, TKey key, TBucket bucket)
    {
        BeforeWriteLocked(key);
        if (ChangeLog is { } log) LogPutLocked(log, stripe, key, ref bucket);
        Account(stripe, Store.SetLocked(key, bucket) ? 1 : 0);
    }

    /// <summary><see cref="UpsertLocked"/> for a hashed store known by its sealed type.</summary>
    protected void UpsertHashedLocked(HashStore<TKey, TBucket> store, int stripe, TKey key, TBucket bucket)
    {
        BeforeWriteLocked(key);
        if (ChangeLog is { } log) LogPutLocked(log, stripe, key, ref bucket);
        Account(stripe, store.SetLocked(key, bucket) ? 1 : 0);
    }

    /// <summary>Removes a key, whose bucket was <paramref name="removed"/>, and records the change; the caller holds the key's stripe lock.</summary>
    protected void RemoveLocked(int stripe, TKey key, TBucket removed, int objectDelta)
    {
        BeforeWriteLocked(key);
        if (ChangeLog is { } log)
        {
            log.Remove(Objects(ref removed)[0]);
            RememberForUndoLocked(stripe, key);
        }
        Store.RemoveLocked(key);
        Account(stripe, objectDelta);
    }

    // Out of line so that tables without a log pay one null check on their write path.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void LogPutLocked(IChangeLog<TObject> log, int stripe, TKey key, ref TBucket bucket)
    {
        log.Put(Objects(ref bucket));
        RememberForUndoLocked(stripe, key);
    }

    private protected void Account(int stripe, int objectDelta)
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
            ChangeLog?.Clear();
            Store.ClearLocked();
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

    // Dropping a destroyed table's contents is not a change: nothing is logged or refused.
    protected override void ClearForDestroy() => RestoreClear();

    /// <summary>
    /// Visits every key under its stripe lock, with its bucket re-read there (the traversal itself holds no
    /// lock, so the bucket may have changed since it was seen), and sums what <paramref name="visit"/>
    /// returns: select-delete, atomic per key as in ETS (select-replace is atomic as a whole, see the cores).
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

    /// <summary>
    /// Select-replace, all or nothing as in ETS: <paramref name="change"/> sees every key's bucket and returns
    /// null to leave it, or its new bucket with how many objects it replaced and how the key's object count
    /// moves. Every change is made (and may throw) before any is stored, under the stripes of every key the
    /// table held when it began, as one multi-key write (one log record). Returns the objects replaced.
    /// </summary>
    protected long ReplaceEveryKey(Func<TKey, TBucket, (TBucket Next, int Replaced, int Delta)?> change)
    {
        var keys = Buckets(false).Select(b => b.Key).ToList();
        return UnderKeyLocks(keys, () =>
        {
            var changes = new List<(TKey Key, TBucket Next, int Delta)>();
            long replaced = 0;
            foreach (var key in keys)
            {
                if (!Store.TryGetLocked(key, out var bucket) || change(key, bucket) is not { } c) continue;
                changes.Add((key, c.Next, c.Delta));
                replaced += c.Replaced;
            }
            foreach (var (key, next, delta) in changes) PutLocked(Store.StripeOf(key), key, next, delta);
            return replaced;
        });
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
    /// from readers: the building block of atomic batch writes. With a log, the whole batch is one record,
    /// appended at the end; if it cannot be (too large, encoding failed, the log failed), every change the
    /// batch made is undone before the locks are released, so no reader ever saw it.
    /// </summary>
    protected TResult UnderKeyLocks<TResult>(IEnumerable<TKey> keys, Func<TResult> apply)
    {
        var stripes = StripedLocks.StripesOf(Store, keys);
        StripedLocks.EnterAll(Store, stripes);
        Store.EnterMultiKeyWrite();
        var log = ChangeLog;
        try
        {
            if (log is null) return apply();
            log.BeginBatch();
            t_undo = [];
            try
            {
                var result = apply();
                log.EndBatch();
                return result;
            }
            catch
            {
                log.AbortBatch();
                UndoLocked(t_undo);
                throw;
            }
            finally
            {
                t_undo = null;
            }
        }
        finally
        {
            Store.ExitMultiKeyWrite();
            StripedLocks.ExitAll(Store, stripes);
        }
    }

    /// <summary>A key's state before a logged batch first changed it.</summary>
    private readonly record struct UndoEntry(int Stripe, TKey Key, bool Existed, TBucket Old);

    // The undo list of the logged batch this thread is running, or null outside one. Thread-static because
    // batches of one table run on several threads at once (on disjoint stripes).
    [ThreadStatic] private static List<UndoEntry>? t_undo;

    private void RememberForUndoLocked(int stripe, TKey key)
    {
        if (t_undo is not { } undo) return;
        var existed = Store.TryGetLocked(key, out var old);
        undo.Add(new UndoEntry(stripe, key, existed, old));
    }

    /// <summary>Puts back, newest first, what a failed batch changed; the caller still holds the batch's stripes.</summary>
    private void UndoLocked(List<UndoEntry> undo)
    {
        for (var i = undo.Count - 1; i >= 0; i--)
        {
            var (stripe, key, existed, old) = undo[i];
            // An undo is a change too, and keeps what a capture needs first, like every other change. (Its
            // keys' runs and leaves were copied by the batch's own writes already; the rule holds without
            // having to argue that.)
            _capture?.KeepLocked(key);
            var now = Store.TryGetLocked(key, out var current) ? Objects(ref current).Length : 0;
            if (existed) Store.SetLocked(key, old);
            else Store.RemoveLocked(key);
            Account(stripe, (existed ? Objects(ref old).Length : 0) - now);
        }
    }

    protected override void WithAllStripes(Action action)
    {
        var stripes = StripedLocks.All(Store);
        StripedLocks.EnterAll(Store, stripes);
        try
        {
            action();
        }
        finally
        {
            StripedLocks.ExitAll(Store, stripes);
        }
    }

    // ---- loading: the opener restores the saved state before the table is published ----
    // No log (the records come from the log or a snapshot), no capture, no seal. Stripe locks are taken so
    // the store's rules hold as everywhere else, and multi-key restores are isolated from readers as the
    // writes they replay were: a follower replays log records into a table its readers are reading.

    public override void RestoreObject(TObject obj)
    {
        var key = KeyOfChecked(obj, "a stored object");
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe)) RestoreObjectLocked(stripe, key, obj);
    }

    public override void RestoreObjects(ReadOnlySpan<TObject> objects)
    {
        if (Ordered is null)
        {
            // A snapshot's objects come run of buckets by run, and a run's keys share a stripe: the lock is
            // taken once per stretch of objects of one stripe, not once per object.
            var i = 0;
            while (i < objects.Length)
            {
                var key = KeyOfChecked(objects[i], "a stored object");
                var stripe = Store.StripeOf(key);
                lock (Store.LockOf(stripe))
                {
                    while (true)
                    {
                        RestoreObjectLocked(stripe, key, objects[i]);
                        if (++i == objects.Length) break;
                        key = KeyOfChecked(objects[i], "a stored object");
                        if (Store.StripeOf(key) != stripe) break;
                    }
                }
            }
            return;
        }
        // One lock for the whole store: taken, and the store's version moved, once per run of objects.
        lock (Store.LockOf(0))
        {
            Store.EnterMultiKeyWrite();
            try
            {
                foreach (var o in objects) RestoreObjectLocked(0, KeyOfChecked(o, "a stored object"), o);
            }
            finally
            {
                Store.ExitMultiKeyWrite();
            }
        }
    }

    /// <summary>What <see cref="RestoreObject"/> does once it holds the key's stripe lock.</summary>
    protected virtual void RestoreObjectLocked(int stripe, TKey key, TObject obj)
    {
        if (Store.TryGetLocked(key, out var bucket))
        {
            var before = Objects(ref bucket).Length;
            var joined = Joined(bucket, obj);
            Store.SetLocked(key, joined);
            Account(stripe, Objects(ref joined).Length - before);
            return;
        }
        Store.SetLocked(key, BucketOf([obj]));
        Account(stripe, 1);
    }

    public override void RestorePut(ReadOnlySpan<TObject> objects)
    {
        var key = KeyOfChecked(objects[0], "a log record");
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            var before = Store.TryGetLocked(key, out var old) ? Objects(ref old).Length : 0;
            Store.SetLocked(key, BucketOf(objects));
            Account(stripe, objects.Length - before);
        }
    }

    public override void RestoreRemove(TObject anyObjectOfKey)
    {
        var key = KeyOfChecked(anyObjectOfKey, "a log record");
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (!Store.TryGetLocked(key, out var old)) return;
            Store.RemoveLocked(key);
            Account(stripe, -Objects(ref old).Length);
        }
    }

    public override void RestoreAtomically(IEnumerable<TKey> keys, Action apply)
    {
        // The stripe locks are monitors, so the restores inside take them again without blocking.
        var stripes = StripedLocks.StripesOf(Store, keys);
        StripedLocks.EnterAll(Store, stripes);
        Store.EnterMultiKeyWrite();
        try
        {
            apply();
        }
        finally
        {
            Store.ExitMultiKeyWrite();
            StripedLocks.ExitAll(Store, stripes);
        }
    }

    public override void RestoreClear() => WithAllStripes(() =>
    {
        // Isolated from readers as Clear is: a follower's readers see the table whole or empty.
        Store.EnterMultiKeyWrite();
        try
        {
            Store.ClearLocked();
            for (var s = 0; s < Store.StripeCount; s++) Volatile.Write(ref _stats[s * StatsStride], 0);
        }
        finally
        {
            Store.ExitMultiKeyWrite();
        }
    });
}
