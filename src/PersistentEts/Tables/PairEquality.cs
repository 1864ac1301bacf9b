namespace PersistentEts.Tables;

/// <summary>Object equality of a key/value table built from a key and a value equality.</summary>
internal sealed class PairEquality<TKey, TValue>(IEqualityComparer<TKey>? keys, IEqualityComparer<TValue> values)
    : IEqualityComparer<KeyValuePair<TKey, TValue>>
{
    private readonly IEqualityComparer<TKey> _keys = keys ?? EqualityComparer<TKey>.Default;

    public bool Equals(KeyValuePair<TKey, TValue> x, KeyValuePair<TKey, TValue> y) =>
        _keys.Equals(x.Key, y.Key) && values.Equals(x.Value, y.Value);

    public int GetHashCode(KeyValuePair<TKey, TValue> obj) =>
        HashCode.Combine(obj.Key is null ? 0 : _keys.GetHashCode(obj.Key), obj.Value is null ? 0 : values.GetHashCode(obj.Value));
}
