namespace PersistentEts;

/// <summary>Counter helpers for key/value tables whose value is a <see cref="long"/> or <see cref="int"/> counter.</summary>
public static class KeyValueTableExtensions
{
    private static class Fields<TKey>
    {
        public static readonly CounterField<KeyValuePair<TKey, long>> Value =
            new(kv => kv.Value, (kv, v) => new KeyValuePair<TKey, long>(kv.Key, v));

        public static readonly CounterField<KeyValuePair<TKey, int>> Int32Value =
            new(kv => kv.Value, (kv, v) => new KeyValuePair<TKey, int>(kv.Key, v));
    }

    /// <summary>ETS <c>update_counter(T, Key, Incr)</c> on a <c>{Key, Counter}</c> table.</summary>
    public static long UpdateCounter<TKey>(this IEtsTable<TKey, KeyValuePair<TKey, long>> table, TKey key, CounterOp op)
        where TKey : notnull => table.UpdateCounter(key, Fields<TKey>.Value, op);

    /// <summary>ETS <c>update_counter(T, Key, Incr, {Key, Default})</c> on a <c>{Key, Counter}</c> table.</summary>
    public static long UpdateCounter<TKey>(this IEtsTable<TKey, KeyValuePair<TKey, long>> table, TKey key, CounterOp op, long defaultValue)
        where TKey : notnull => table.UpdateCounter(key, Fields<TKey>.Value, op, new KeyValuePair<TKey, long>(key, defaultValue));

    /// <summary>ETS <c>update_counter(T, Key, Incr)</c> on a <c>{Key, Counter}</c> table of <see cref="int"/> counters; a result outside the 32-bit range is refused.</summary>
    public static int UpdateCounter<TKey>(this IEtsTable<TKey, KeyValuePair<TKey, int>> table, TKey key, CounterOp op)
        where TKey : notnull => (int)table.UpdateCounter(key, Fields<TKey>.Int32Value, op);

    /// <summary>ETS <c>update_counter(T, Key, Incr, {Key, Default})</c> on a <c>{Key, Counter}</c> table of <see cref="int"/> counters.</summary>
    public static int UpdateCounter<TKey>(this IEtsTable<TKey, KeyValuePair<TKey, int>> table, TKey key, CounterOp op, int defaultValue)
        where TKey : notnull => (int)table.UpdateCounter(key, Fields<TKey>.Int32Value, op, new KeyValuePair<TKey, int>(key, defaultValue));
}
