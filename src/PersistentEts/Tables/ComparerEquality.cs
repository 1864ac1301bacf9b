namespace PersistentEts.Tables;

/// <summary>
/// Key equality of an ordered_set, derived from its comparer. Only <see cref="Equals(TKey, TKey)"/> is
/// meaningful: ordered stores never hash keys, and the hash is used only for lock striping (always 0 here).
/// </summary>
internal sealed class ComparerEquality<TKey>(IComparer<TKey> comparer) : IEqualityComparer<TKey>
{
    public bool Equals(TKey? x, TKey? y) => comparer.Compare(x!, y!) == 0;

    public int GetHashCode(TKey obj) => 0;
}
