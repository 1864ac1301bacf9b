using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// <c>bag</c> and <c>duplicate_bag</c>: several objects per key, kept in insertion order in an immutable
/// array that every write replaces (copy-on-write), so readers never see a half-changed bucket.
/// </summary>
internal sealed class BagCore<TKey, TObject> : StoreCore<TKey, TObject, TObject[]> where TKey : notnull
{
    private readonly IEqualityComparer<TObject> _objectEquality;
    private readonly bool _duplicates;

    public BagCore(string name, TableOptions options, Func<TObject, TKey> keyOf, string keyDescription,
        IStore<TKey, TObject[]> store, IEqualityComparer<TKey> keyEquality, IEqualityComparer<TObject> objectEquality,
        TableWiring<TKey, TObject> wiring)
        : base(name, options, keyOf, keyDescription, store, keyEquality, wiring)
    {
        _objectEquality = objectEquality;
        _duplicates = options.Type == TableType.DuplicateBag;
    }

    protected override ReadOnlySpan<TObject> Objects(ref TObject[] bucket) => bucket;

    protected override TObject[] BucketOf(ReadOnlySpan<TObject> objects) => objects.ToArray();

    protected override TObject[] Joined(TObject[] bucket, TObject obj) => [.. bucket, obj];

    public override void Insert(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe)) AddLocked(stripe, key, obj);
    }

    private void AddLocked(int stripe, TKey key, TObject obj)
    {
        if (!Store.TryGetLocked(key, out var bucket))
        {
            PutLocked(stripe, key, [obj], 1);
            return;
        }
        if (!_duplicates && Array.FindIndex(bucket, o => _objectEquality.Equals(o, obj)) >= 0) return;
        PutLocked(stripe, key, [.. bucket, obj], 1);
    }

    public override bool InsertNew(TObject obj)
    {
        var key = KeyOfChecked(obj, nameof(obj));
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (Store.TryGetLocked(key, out _)) return false;
            PutLocked(stripe, key, [obj], 1);
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
    private int FilterLocked(int stripe, TKey key, TObject[] bucket, Func<TObject, bool> keep)
    {
        var kept = Array.FindAll(bucket, o => keep(o));
        var removed = bucket.Length - kept.Length;
        if (removed == 0) return 0;
        if (kept.Length == 0) RemoveLocked(stripe, key, bucket, -removed);
        else PutLocked(stripe, key, kept, -removed);
        return removed;
    }

    public override long SelectDelete(Func<TObject, bool> where) =>
        ForEachKeyLocked((stripe, key, bucket) => FilterLocked(stripe, key, bucket, o => !where(o)));

    public override long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace) =>
        ForEachKeyLocked((stripe, key, bucket) =>
        {
            var next = new List<TObject>(bucket.Length);
            var changed = 0;
            foreach (var o in bucket)
            {
                var n = o;
                if (where(o))
                {
                    n = replace(o);
                    if (n is null) Throw.NullObject(nameof(replace));
                    var nk = KeyOf(n);
                    if (nk is null || !KeyEquality.Equals(key, nk)) Throw.KeyChanged("SelectReplace");
                    changed++;
                }
                // A bag keeps one of equal objects, so a replacement equal to a kept one merges with it.
                if (_duplicates || !next.Exists(x => _objectEquality.Equals(x, n))) next.Add(n);
            }
            if (changed > 0) PutLocked(stripe, key, [.. next], next.Count - bucket.Length);
            return changed;
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
