namespace PersistentEts.Storage;

/// <summary>
/// What a snapshot capture needs of the ordered store: leaves marked as copied. A capture reads the store
/// in key order after its cursor. Before a writer changes a key past the cursor, the leaf the change
/// touches is copied (its keys past the cursor, as they are at that moment, which is as they were at the
/// capture's instant) and marked; the reader skips marked leaves and emits the copies in their place.
/// Later writes into a marked leaf keep nothing.
/// </summary>
/// <remarks>
/// Why this holds: a leaf that is not marked has not been changed past the cursor since the instant, so
/// its keys past the cursor are the instant's. Every leaf made while a capture runs is marked: the halves
/// of a split leaf carry its mark (its copy covers both), and a leaf made for new keys holds none of the
/// instant's. Copies hold disjoint runs of keys, none between the keys of an unmarked leaf, so the reader
/// merges them with the unmarked leaves by their first keys alone.
/// </remarks>
internal sealed partial class SortedStore<TKey, TBucket>
{
    // The capture in progress's mark (0: none), and the last mark handed out; under _lock. A leaf is
    // marked when its Mark equals _captureMark.
    private int _captureMark;
    private int _lastMark;

    /// <summary>Starts marking leaves for a capture; the caller holds the lock.</summary>
    public void BeginLeafMarksLocked()
    {
        if (_lastMark == int.MaxValue)
        {
            // Two billion captures later: clear every old mark rather than meet one again.
            foreach (var leaf in _leaves) leaf.Mark = 0;
            _lastMark = 0;
        }
        _captureMark = ++_lastMark;
    }

    /// <summary>Ends the capture's marking; the caller holds the lock.</summary>
    public void EndLeafMarksLocked() => _captureMark = 0;

    /// <summary>
    /// Before a write of <paramref name="key"/>, past the capture's cursor: marks the leaf the write will
    /// change, and returns its keys and buckets past the cursor, unless it was marked already (then, or when
    /// it has none past the cursor, null). The caller holds the lock.
    /// </summary>
    public KeyValuePair<TKey, TBucket>[]? MarkLeafForWriteLocked(TKey key, bool hasCursor, TKey cursor)
    {
        if (_captureMark == 0 || _leaves.Count == 0) return null;
        // The leaf a write of the key changes: the first whose largest key is at or above it, or the last.
        var li = LeafAtOrAfter(key);
        var leaf = _leaves[li >= 0 ? li : _leaves.Count - 1];
        if (leaf.Mark == _captureMark) return null;
        leaf.Mark = _captureMark;
        var from = 0;
        if (hasCursor)
        {
            var at = Search(leaf.Keys, leaf.Count, cursor);
            from = at >= 0 ? at + 1 : ~at;
        }
        if (from == leaf.Count) return null;
        var copy = new KeyValuePair<TKey, TBucket>[leaf.Count - from];
        for (var i = from; i < leaf.Count; i++) copy[i - from] = new(leaf.Keys[i], leaf.Values[i]);
        return copy;
    }

    /// <summary>Up to <paramref name="max"/> entries of unmarked leaves after <paramref name="after"/>, in key order (see <see cref="IOrderedStore{TKey, TBucket}"/>).</summary>
    public int ForEachUnmarkedAfterLocked<TState>(bool hasAfter, TKey after, int max, ref TState state, VisitEntries<TKey, TBucket, TState> visit, out TKey last)
    {
        last = default!;
        if (_leaves.Count == 0 || max <= 0) return 0;
        int li, i;
        if (hasAfter)
        {
            if (!FindNeighbour(after, next: true, out li, out i)) return 0;
        }
        else
        {
            li = 0;
            i = 0;
        }
        var met = 0;
        for (; li < _leaves.Count && met < max; li++, i = 0)
        {
            var leaf = _leaves[li];
            if (leaf.Mark == _captureMark) continue;
            var end = Math.Min(leaf.Count, i + (max - met));
            if (end <= i) continue;
            met += end - i;
            last = leaf.Keys[end - 1];
            visit(ref state, leaf.Keys.AsSpan(i, end - i), leaf.Values.AsSpan(i, end - i));
        }
        return met;
    }
}
