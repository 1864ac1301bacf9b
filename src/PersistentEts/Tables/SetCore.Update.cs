namespace PersistentEts.Tables;

internal sealed partial class SetCore<TKey, TObject>
{
    public override long[] UpdateCounters(TKey key, ReadOnlySpan<CounterUpdate<TObject>> updates, bool hasDefault, TObject defaultObject)
    {
        if (hasDefault) CheckSameKey(key, defaultObject, "UpdateCounter's default object");
        var results = new long[updates.Length];
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            var exists = Store.TryGetLocked(key, out var current);
            if (!exists)
            {
                if (!hasDefault) throw new EtsKeyNotFoundException(Name, key);
                current = defaultObject;
            }
            // Compute everything first so that a failing update (overflow, key change) changes nothing.
            for (var i = 0; i < updates.Length; i++)
            {
                var (field, op) = updates[i];
                var value = op.Apply(field.Get(current));
                current = field.Set(current, value);
                results[i] = value;
            }
            CheckSameKey(key, current, "UpdateCounter");
            PutLocked(stripe, key, current, exists ? 0 : 1);
        }
        return results;
    }

    public override bool UpdateElement(TKey key, Func<TObject, TObject> change)
    {
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            if (!Store.TryGetLocked(key, out var current)) return false;
            var next = change(current);
            CheckSameKey(key, next, "UpdateElement");
            PutLocked(stripe, key, next, 0);
            return true;
        }
    }

    public override TObject AddOrUpdate(TKey key, Func<TKey, TObject> add, Func<TKey, TObject, TObject> update)
    {
        var stripe = Store.StripeOf(key);
        lock (Store.LockOf(stripe))
        {
            var exists = Store.TryGetLocked(key, out var current);
            var next = exists ? update(key, current) : add(key);
            CheckSameKey(key, next, "AddOrUpdate");
            PutLocked(stripe, key, next, exists ? 0 : 1);
            return next;
        }
    }
}
