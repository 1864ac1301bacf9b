using System.Runtime.InteropServices;
using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// <c>bag</c> and <c>duplicate_bag</c>: several objects per key, kept in insertion order inside the hash
/// table's node (see <see cref="BagObjects{TObject}"/>); a write replaces a key's objects whole, so readers
/// never see a half-changed key.
/// </summary>
internal sealed class BagCore<TKey, TObject> : StoreCore<TKey, TObject, BagObjects<TObject>> where TKey : notnull
{
    private readonly IEqualityComparer<TObject> _objectEquality;
    private readonly bool _duplicates;

    public BagCore(string name, TableOptions options, Func<TObject, TKey> keyOf, string keyDescription,
        HashStore<TKey, BagObjects<TObject>> store, IEqualityComparer<TKey> keyEquality, IEqualityComparer<TObject> objectEquality,
        TableWiring<TKey, TObject> wiring)
        : base(name, options, keyOf, keyDescription, store, keyEquality, wiring)
    {
        _objectEquality = objectEquality;
        _duplicates = options.Type == TableType.DuplicateBag;
        // Private tables check the reader on every call, so they never take the fast path.
        EnableFastBagReads(options.Protection == TableProtection.Private ? null : store);
    }

    protected override ReadOnlySpan<TObject> Objects(ref BagObjects<TObject> bucket) => BagObjects<TObject>.Span(ref bucket);

    protected override BagObjects<TObject> BucketOf(ReadOnlySpan<TObject> objects) => BagObjects<TObject>.Of(objects);

    protected override BagObjects<TObject> Joined(BagObjects<TObject> bucket, TObject obj) => bucket.With(obj);

    public override bool TryLookup(TKey key, out TObject obj)
    {
        if (Hashed!.TryGet(key, out var objects))
        {
            obj = objects.First;
            return true;
        }
        obj = default!;
        return false;
    }

    public override bool Contains(TKey key) => Hashed!.TryGet(key, out _);

    public override void Insert(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe)) AddLocked(stripe, key, obj);
    }

    private void AddLocked(int stripe, TKey key, TObject obj)
    {
        if (!Hashed!.TryGetLocked(key, out var bucket))
        {
            PutLocked(stripe, key, BagObjects<TObject>.Of(obj), 1);
            return;
        }
        if (!_duplicates && IndexOf(Objects(ref bucket), obj) >= 0) return;
        PutLocked(stripe, key, bucket.With(obj), 1);
    }

    private int IndexOf(ReadOnlySpan<TObject> objects, TObject obj)
    {
        for (var i = 0; i < objects.Length; i++)
        {
            if (_objectEquality.Equals(objects[i], obj)) return i;
        }
        return -1;
    }

    public override bool InsertNew(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (Store.TryGetLocked(key, out _)) return false;
            PutLocked(stripe, key, BagObjects<TObject>.Of(obj), 1);
            return true;
        }
    }

    public override void InsertMany(IReadOnlyList<TObject> objects)
    {
        var keys = KeysOf(objects);
        UnderKeyLocks(keys, () =>
        {
            for (var i = 0; i < objects.Count; i++) AddLocked(Store.StripeOf(keys[i]), keys[i], objects[i]);
            return true;
        });
    }

    public override bool InsertNewMany(IReadOnlyList<TObject> objects)
    {
        var keys = KeysOf(objects);
        return UnderKeyLocks(keys, () =>
        {
            if (AnyKeyExistsLocked(keys)) return false;
            for (var i = 0; i < objects.Count; i++) AddLocked(Store.StripeOf(keys[i]), keys[i], objects[i]);
            return true;
        });
    }

    public override bool DeleteObject(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            // In a duplicate_bag every instance of the object goes, as in ETS.
            return Store.TryGetLocked(key, out var bucket) && FilterLocked(stripe, key, bucket, o => !_objectEquality.Equals(o, obj)) > 0;
        }
    }

    /// <summary>Keeps the objects <paramref name="keep"/> accepts; returns how many went.</summary>
    private int FilterLocked(int stripe, TKey key, BagObjects<TObject> bucket, Func<TObject, bool> keep)
    {
        var objects = Objects(ref bucket);
        var kept = new List<TObject>(objects.Length);
        foreach (var o in objects)
        {
            if (keep(o)) kept.Add(o);
        }
        var removed = objects.Length - kept.Count;
        if (removed == 0) return 0;
        if (kept.Count == 0) RemoveLocked(stripe, key, bucket, -removed);
        else PutLocked(stripe, key, BucketOf(CollectionsMarshal.AsSpan(kept)), -removed);
        return removed;
    }

    public override long SelectDelete(Func<TObject, bool> where) =>
        ForEachKeyLocked((stripe, key, bucket) => FilterLocked(stripe, key, bucket, o => !where(o)));

    /// <summary>
    /// An extension of ETS, whose select_replace refuses bags. All or nothing, as for sets (see
    /// <see cref="StoreCore{TKey, TObject, TBucket}.ReplaceEveryKey"/>).
    /// </summary>
    public override long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace) =>
        ReplaceEveryKey((key, bucket) =>
        {
            var objects = Objects(ref bucket);
            var next = new List<TObject>(objects.Length);
            var replaced = 0;
            foreach (var o in objects)
            {
                var n = o;
                if (where(o))
                {
                    n = replace(o);
                    if (n is null) Throw.NullObject(nameof(replace));
                    var nk = KeyOf(n);
                    if (nk is null || !KeyEquality.Equals(key, nk)) Throw.KeyChanged("SelectReplace");
                    replaced++;
                }
                // A bag keeps one of equal objects, so a replacement equal to a kept one merges with it.
                if (_duplicates || !next.Exists(x => _objectEquality.Equals(x, n))) next.Add(n);
            }
            return replaced == 0 ? null : (BucketOf(CollectionsMarshal.AsSpan(next)), replaced, next.Count - objects.Length);
        });

    public override long[] UpdateCounters(TKey key, ReadOnlySpan<CounterUpdate<TObject>> updates, bool hasDefault, TObject defaultObject)
    {
        Throw.WrongType("UpdateCounter", Type, "a set or ordered_set");
        return [];
    }

    public override bool UpdateElement(TKey key, Func<TObject, TObject> change)
    {
        Throw.WrongType("UpdateElement", Type, "a set or ordered_set");
        return false;
    }

    public override TObject AddOrUpdate(TKey key, Func<TKey, TObject> add, Func<TKey, TObject, TObject> update)
    {
        Throw.WrongType("AddOrUpdate", Type, "a set or ordered_set");
        return default!;
    }
}
