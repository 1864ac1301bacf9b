namespace PersistentEts.Storage;

/// <summary>
/// Two small levels above an ordered store's list of leaf maxima, each keeping the largest key of every
/// sixteen entries below it, so that finding a key's leaf compares three short runs of sixteen keys
/// (see <see cref="SortedKeySearch{TKey}"/>) instead of binary-searching thousands.
/// </summary>
/// <remarks>
/// Why: a binary search over the leaf maxima of a million-row table takes some thirteen steps, each
/// waiting for the one before it; measured, that was half of an ordered lookup's time. A run of sixteen
/// is compared in one or two vector instructions, with no step waiting for another.
/// Changed only by its store under the store's lock (and inside the store's change version, which
/// lock-free readers check, so a reader that read a level half rewritten discards what it found).
/// </remarks>
internal sealed class LeafIndex<TKey>
{
    private const int Fanout = 16;

    // Invariant, restored by every Refresh: _groups[g] is the largest key of leaves 16g … 16g+15 (the last
    // group: of the leaves it has), for g below _groupCount; _supers[h] likewise over the groups.
    private TKey[] _groups = [];
    private int _groupCount;
    private TKey[] _supers = [];
    private int _superCount;

    /// <summary>Brings the levels up to date after the leaf maxima from <paramref name="fromLeaf"/> on changed (were replaced, inserted or removed).</summary>
    public void Refresh(ReadOnlySpan<TKey> maxKeys, int fromLeaf)
    {
        _groupCount = Fill(ref _groups, _groupCount, maxKeys, fromLeaf / Fanout);
        _superCount = Fill(ref _supers, _superCount, _groups.AsSpan(0, _groupCount), fromLeaf / (Fanout * Fanout));
    }

    /// <summary>Empties both levels.</summary>
    public void Clear()
    {
        _groups = [];
        _groupCount = 0;
        _supers = [];
        _superCount = 0;
    }

    /// <summary>The index of the first of <paramref name="maxKeys"/> at or above <paramref name="key"/>, or their count; default key order.</summary>
    public int LowerBound(ReadOnlySpan<TKey> maxKeys, TKey key)
    {
        var supers = _supers.AsSpan(0, _superCount);
        var h = SortedKeySearch<TKey>.LowerBound(supers, key);
        if (h == supers.Length) return maxKeys.Length;
        // Each window's last entry is what the level above holds for it, which is at or above the key, so
        // the key's place is inside the window.
        var g = Fanout * h + SortedKeySearch<TKey>.CountBelow(Window(_groups.AsSpan(0, _groupCount), h), key);
        return Fanout * g + SortedKeySearch<TKey>.CountBelow(Window(maxKeys, g), key);
    }

    private static ReadOnlySpan<TKey> Window(ReadOnlySpan<TKey> level, int i) =>
        level.Slice(Fanout * i, Math.Min(Fanout, level.Length - Fanout * i));

    /// <summary>Recomputes a level's entries from <paramref name="from"/> on over <paramref name="below"/>; returns its new count.</summary>
    private static int Fill(ref TKey[] level, int oldCount, ReadOnlySpan<TKey> below, int from)
    {
        var count = (below.Length + Fanout - 1) / Fanout;
        if (level.Length < count)
        {
            var grown = new TKey[Math.Max(count, level.Length * 2)];
            Array.Copy(level, grown, Math.Min(from, level.Length));
            level = grown;
        }
        for (var g = from; g < count; g++) level[g] = below[Math.Min(Fanout * g + Fanout - 1, below.Length - 1)];
        // Entries past the end would keep removed keys alive.
        if (oldCount > count) Array.Clear(level, count, Math.Min(oldCount, level.Length) - count);
        return count;
    }
}
