using System.Runtime.InteropServices;
using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary><c>set</c> and <c>ordered_set</c>: one object per key; the bucket is the object itself.</summary>
internal sealed partial class SetCore<TKey, TObject> : StoreCore<TKey, TObject, TObject> where TKey : notnull
{
    private readonly IEqualityComparer<TObject> _objectEquality;

    public SetCore(string name, TableOptions options, Func<TObject, TKey> keyOf, string keyDescription,
        IStore<TKey, TObject> store, IEqualityComparer<TKey> keyEquality, IEqualityComparer<TObject> objectEquality,
        TableWiring<TKey, TObject> wiring)
        : base(name, options, keyOf, keyDescription, store, keyEquality, wiring)
    {
        _objectEquality = objectEquality;
        // Private tables check the reader on every call, so they never take the fast path.
        EnableFastReads(options.Protection == TableProtection.Private ? null : Hashed);
        EnableFastOrderedReads(options.Protection == TableProtection.Private ? null : store as SortedStore<TKey, TObject>);
    }

    // Through the sealed type when hashed, so the hottest reads make direct, inlinable calls: a random
    // lookup is bound by cache misses, and a short path lets the processor overlap the misses of
    // successive lookups.
    public override bool TryLookup(TKey key, out TObject obj) =>
        Hashed is { } h ? h.TryGet(key, out obj) : Store.TryGet(key, out obj);

    public override bool Contains(TKey key) =>
        Hashed is { } h ? h.TryGet(key, out _) : Store.TryGet(key, out _);

    protected override ReadOnlySpan<TObject> Objects(ref TObject bucket) => MemoryMarshal.CreateReadOnlySpan(ref bucket, 1);

    protected override TObject BucketOf(ReadOnlySpan<TObject> objects) => objects[^1];

    protected override TObject Joined(TObject bucket, TObject obj) => obj;

    // A set's object replaces the key's: one search of the store, not a lookup and then a write.
    protected override void RestoreObjectLocked(int stripe, TKey key, TObject obj) => Account(stripe, Store.SetLocked(key, obj) ? 1 : 0);

    public override void Insert(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        if (Hashed is { } h)
        {
            // The same as below through the sealed type: direct calls the JIT can inline.
            var s = h.StripeOf(key);
            lock (h.LockOf(s)) UpsertHashedLocked(h, s, key, obj);
            return;
        }
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe)) UpsertLocked(stripe, key, obj);
    }

    public override bool InsertNew(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (Store.TryGetLocked(key, out _)) return false;
            PutLocked(stripe, key, obj, 1);
            return true;
        }
    }

    public override void InsertMany(IReadOnlyList<TObject> objects)
    {
        var keys = KeysOf(objects);
        UnderKeyLocks(keys, () =>
        {
            // As in ETS, when the batch holds several objects with one key, one of them wins: here the last.
            for (var i = 0; i < objects.Count; i++) PutOne(keys[i], objects[i]);
            return true;
        });
    }

    public override bool InsertNewMany(IReadOnlyList<TObject> objects)
    {
        var keys = KeysOf(objects);
        return UnderKeyLocks(keys, () =>
        {
            if (AnyKeyExistsLocked(keys)) return false;
            for (var i = 0; i < objects.Count; i++) PutOne(keys[i], objects[i]);
            return true;
        });
    }

    private void PutOne(TKey key, TObject obj) => UpsertLocked(Store.StripeOf(key), key, obj);

    public override bool DeleteObject(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (!Store.TryGetLocked(key, out var current) || !_objectEquality.Equals(current, obj)) return false;
            RemoveLocked(stripe, key, current, -1);
            return true;
        }
    }

    public override long SelectDelete(Func<TObject, bool> where) =>
        ForEachKeyLocked((stripe, key, current) =>
        {
            if (!where(current)) return 0;
            RemoveLocked(stripe, key, current, -1);
            return 1;
        });

    /// <summary>All or nothing, as in ETS (see <see cref="StoreCore{TKey, TObject, TBucket}.ReplaceEveryKey"/>): a replacement that changes its key is refused with the table unchanged.</summary>
    public override long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace) =>
        ReplaceEveryKey((key, current) =>
        {
            if (!where(current)) return null;
            var next = replace(current);
            CheckSameKey(key, next, "SelectReplace");
            return (next, 1, 0);
        });

    private void CheckSameKey(TKey key, TObject next, string operation)
    {
        if (next is null) Throw.NullObject(operation);
        var nextKey = KeyOf(next);
        if (nextKey is null || !KeyEquality.Equals(key, nextKey)) Throw.KeyChanged(operation);
    }
}
