namespace PersistentEts;

/// <summary>Counter helpers for key/value tables whose value is a <see cref="long"/> counter.</summary>
public static class KeyValueTableExtensions
{
    private static class Fields<TKey>
    {
        public static readonly CounterField<KeyValuePair<TKey, long>> Value =
            new(kv => kv.Value, (kv, v) => new KeyValuePair<TKey, long>(kv.Key, v));
    }

    /// <summary>ETS <c>update_counter(T, Key, Incr)</c> on a <c>{Key, Counter}</c> table.</summary>
    public static long UpdateCounter<TKey>(this IEtsTable<TKey, KeyValuePair<TKey, long>> table, TKey key, CounterOp op)
        where TKey : notnull => table.UpdateCounter(key, Fields<TKey>.Value, op);

    /// <summary>ETS <c>update_counter(T, Key, Incr, {Key, Default})</c> on a <c>{Key, Counter}</c> table.</summary>
    public static long UpdateCounter<TKey>(this IEtsTable<TKey, KeyValuePair<TKey, long>> table, TKey key, CounterOp op, long defaultValue)
        where TKey : notnull => table.UpdateCounter(key, Fields<TKey>.Value, op, new KeyValuePair<TKey, long>(key, defaultValue));
}
