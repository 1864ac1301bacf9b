namespace PersistentEts.Tables;

/// <summary>
/// The pre-images of one snapshot capture of an ordered table: a sorted map, changed and read under the
/// table's one lock. Sorted, not hashed, because an ordered table's keys need not hash consistently with
/// its comparer.
/// </summary>
/// <remarks>
/// An ordered capture is read in ascending key order, and a writer saves a pre-image only for a key past
/// the reader's cursor. So the reader can ask about each key it meets with one comparison against the
/// map's smallest key instead of a search of the tree: smaller, and the key has none. A smallest key that
/// the reader has gone past was deleted before the reader got to it; it is moved aside for the leftovers.
/// Before this, every key of the table cost a tree search under the table's lock while writers waited.
/// </remarks>
internal sealed class OrderedPreImages<TKey, TBucket>(IComparer<TKey> order) where TKey : notnull
{
    private readonly SortedDictionary<TKey, PreImage<TBucket>> _map = new(order);

    // The smallest key in _map (valid when _hasMin, which is false exactly when _map is empty), and the
    // pre-images of keys the reader went past without meeting.
    private TKey _min = default!;
    private bool _hasMin;
    private readonly List<PreImage<TBucket>> _passed = [];

    public bool ContainsKey(TKey key) => _map.ContainsKey(key);

    public void TryAdd(TKey key, PreImage<TBucket> pre)
    {
        if (!_map.TryAdd(key, pre)) return;
        if (!_hasMin || order.Compare(key, _min) < 0)
        {
            _min = key;
            _hasMin = true;
        }
    }

    /// <summary>
    /// The capture's reader meets <paramref name="key"/>, which is past every key it met before: takes its
    /// pre-image, if any (see the remarks).
    /// </summary>
    public bool TryRemove(TKey key, out PreImage<TBucket> pre)
    {
        while (_hasMin)
        {
            var c = order.Compare(key, _min);
            if (c < 0) break;
            _map.Remove(_min, out pre);
            NextMin();
            if (c == 0) return true;
            // The reader went past this key: it was deleted before the reader got to it.
            _passed.Add(pre);
        }
        pre = default;
        return false;
    }

    private void NextMin()
    {
        _hasMin = false;
        foreach (var entry in _map)
        {
            _min = entry.Key;
            _hasMin = true;
            break;
        }
    }

    /// <summary>What is left; call only once the capture is closed (no writer adds any more).</summary>
    public IEnumerable<PreImage<TBucket>> Remaining() => _passed.Concat(_map.Values);
}
