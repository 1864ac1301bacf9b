using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// What a snapshot capture of an ordered table keeps of the leaves writers change before the reader gets
/// to them: each leaf's entries past the reader's cursor, copied on the leaf's first write (see
/// <c>SortedStore.Capture.cs</c>), in order of their first keys. Changed and read only under the table's
/// one lock (so the map's own lock is never taken).
/// </summary>
/// <remarks>
/// This replaced pre-images saved key by key in a sorted map: each write of a key not yet read cost a
/// search of the table and a search and insert in the map, and the reader a removal per key, all under
/// the table's lock. A writer replacing random rows of a million-row ordered_set while saves ran back to
/// back ran at 0.22–0.40 of its idle speed with a red-black tree as that map, 0.43–0.65 with a map of
/// sorted leaves, 0.68–0.88 with leaf copies, and 0.77–0.92 with nothing kept at all (wrong; measured
/// only to bound the cost).
/// </remarks>
internal sealed class OrderedCopies<TKey, TBucket>(IComparer<TKey> order) where TKey : notnull
{
    // By each copy's first key. Copies hold disjoint runs of keys, so this orders their keys too.
    private readonly SortedStore<TKey, KeyValuePair<TKey, TBucket>[]> _byFirstKey = new(order, lockFreeReads: false);

    /// <summary>Keeps a leaf's copy (not empty).</summary>
    public void Add(KeyValuePair<TKey, TBucket>[] copy) => _byFirstKey.TryAddLocked(copy[0].Key, copy);

    /// <summary>
    /// Takes the copy that comes first, if its first key is below <paramref name="key"/> (or, without a
    /// key, any): the reader emits it before the live entry at <paramref name="key"/>.
    /// </summary>
    public bool TryTakeBefore(bool hasKey, TKey key, out KeyValuePair<TKey, TBucket>[] copy)
    {
        if (!_byFirstKey.TryFirstLocked(out var first, out copy) || hasKey && order.Compare(first, key) >= 0) return false;
        _byFirstKey.RemoveLocked(first);
        return true;
    }
}
