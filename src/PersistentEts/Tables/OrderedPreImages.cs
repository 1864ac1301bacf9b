using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// The pre-images of one snapshot capture of an ordered table, in key order: a map of the same sorted
/// leaves as the table itself, changed and read only under the table's one lock (so the map's own lock is
/// never taken). Sorted, not hashed, because an ordered table's keys need not hash consistently with its
/// comparer.
/// </summary>
/// <remarks>
/// An ordered capture is read in ascending key order, and a writer saves a pre-image only for a key past
/// the reader's cursor. So the reader asks about each key it meets with one comparison against the map's
/// smallest key: smaller, and the key has none. A smallest key that the reader has gone past was deleted
/// before the reader got to it; it is moved aside for the leftovers.
/// The map was a <see cref="SortedDictionary{TKey, TValue}"/>: a writer paid two searches of a red-black
/// tree and a node per pre-image, and the reader an enumerator per key taken, all while holding the
/// table's lock. A writer replacing random rows of a million-row ordered_set while saves ran back to back
/// ran at 0.23–0.38 of its idle speed, against 0.77–0.92 with pre-images not saved at all (wrong,
/// measured only to bound their cost).
/// </remarks>
internal sealed class OrderedPreImages<TKey, TBucket>(IComparer<TKey> order) where TKey : notnull
{
    private readonly SortedStore<TKey, PreImage<TBucket>> _map = new(order, lockFreeReads: false);

    // The pre-images of keys the reader went past without meeting.
    private readonly List<PreImage<TBucket>> _passed = [];

    /// <summary>Saves a key's pre-image unless it has one; true when saved.</summary>
    public bool TryAdd(TKey key, PreImage<TBucket> pre) => _map.TryAddLocked(key, pre);

    /// <summary>
    /// The capture's reader meets <paramref name="key"/>, which is past every key it met before: takes its
    /// pre-image, if any (see the remarks).
    /// </summary>
    public bool TryRemove(TKey key, out PreImage<TBucket> pre)
    {
        while (_map.TryFirstLocked(out var min, out var minPre))
        {
            var c = order.Compare(key, min);
            if (c < 0) break;
            _map.RemoveLocked(min);
            if (c == 0)
            {
                pre = minPre;
                return true;
            }
            // The reader went past this key: it was deleted before the reader got to it.
            _passed.Add(minPre);
        }
        pre = default;
        return false;
    }

    /// <summary>What is left; call only once the capture is closed (no writer adds any more).</summary>
    public IEnumerable<PreImage<TBucket>> Remaining()
    {
        var rest = new List<PreImage<TBucket>>(_passed);
        _map.ForEachAfterLocked(false, default!, int.MaxValue, ref rest,
            static (ref List<PreImage<TBucket>> into, TKey _, PreImage<TBucket> pre) => into.Add(pre), out _);
        return rest;
    }
}
