namespace PersistentEts.Storage;

internal sealed partial class SortedStore<TKey, TBucket>
{
    public bool TryEdge(bool first, out TKey key)
    {
        lock (_lock)
        {
            if (_leaves.Count == 0)
            {
                key = default!;
                return false;
            }
            key = first ? _leaves[0].Keys[0] : _maxKeys[^1];
            return true;
        }
    }

    /// <summary>The smallest key and its bucket, if any; the caller holds the lock.</summary>
    public bool TryFirstLocked(out TKey key, out TBucket bucket)
    {
        if (_leaves.Count == 0)
        {
            key = default!;
            bucket = default!;
            return false;
        }
        key = _leaves[0].Keys[0];
        bucket = _leaves[0].Values[0];
        return true;
    }

    public bool TryNeighbour(TKey key, bool next, out TKey neighbour)
    {
        lock (_lock)
        {
            if (FindNeighbour(key, next, out var li, out var i))
            {
                neighbour = _leaves[li].Keys[i];
                return true;
            }
            neighbour = default!;
            return false;
        }
    }

    public List<KeyValuePair<TKey, TBucket>> CopyRange(bool hasAfter, TKey after, int max, bool descending)
    {
        var result = new List<KeyValuePair<TKey, TBucket>>(Math.Min(max, 1024));
        lock (_lock)
        {
            if (_leaves.Count == 0) return result;
            int li, i;
            if (hasAfter)
            {
                if (!FindNeighbour(after, !descending, out li, out i)) return result;
            }
            else if (descending)
            {
                li = _leaves.Count - 1;
                i = _leaves[li].Count - 1;
            }
            else
            {
                li = 0;
                i = 0;
            }
            while (result.Count < max)
            {
                var leaf = _leaves[li];
                result.Add(new(leaf.Keys[i], leaf.Values[i]));
                if (descending)
                {
                    if (--i < 0)
                    {
                        if (--li < 0) break;
                        i = _leaves[li].Count - 1;
                    }
                }
                else if (++i == leaf.Count)
                {
                    if (++li == _leaves.Count) break;
                    i = 0;
                }
            }
        }
        return result;
    }

    /// <summary>Position of the first key strictly after (or, backwards, strictly before) <paramref name="key"/>.</summary>
    private bool FindNeighbour(TKey key, bool next, out int li, out int i)
    {
        li = LeafAtOrAfter(key);
        if (next)
        {
            if (li < 0)
            {
                i = 0;
                return false;
            }
            var leaf = _leaves[li];
            var pos = Search(leaf.Keys, leaf.Count, key);
            i = pos >= 0 ? pos + 1 : ~pos;
            if (i < leaf.Count) return true;
            li++;
            i = 0;
            return li < _leaves.Count;
        }
        if (li < 0)
        {
            // Every key is smaller: the previous key is the very last one.
            li = _leaves.Count - 1;
            i = li >= 0 ? _leaves[li].Count - 1 : 0;
            return li >= 0;
        }
        var l = _leaves[li];
        var p = Search(l.Keys, l.Count, key);
        i = (p >= 0 ? p : ~p) - 1;
        if (i >= 0) return true;
        li--;
        if (li < 0) return false;
        i = _leaves[li].Count - 1;
        return true;
    }
}
