namespace PersistentEts.Tables;

internal abstract partial class StoreCore<TKey, TObject, TBucket>
{
    private const int ChunkSize = 1024;

    // The walk order of a hashed table: keys sorted by a mixed hash. Because the order depends only on
    // the keys, a walk that is rebuilt while another thread traverses keeps the same relative order, so a
    // traversal never revisits a key and sees every key that lives through it (what ets:safe_fixtable gives).
    private volatile HashedWalk? _walk;

    private sealed record HashedWalk(TKey[] Keys, uint[] Hashes, long Version);

    private uint WalkHash(TKey key) => (uint)KeyEquality.GetHashCode(key) * 0x9E3779B1u;

    private HashedWalk CurrentWalk(bool refresh)
    {
        var walk = _walk;
        var version = ChangeCount;
        if (walk is not null && (!refresh || walk.Version == version)) return walk;
        walk = BuildWalk();
        _walk = walk;
        return walk;
    }

    private HashedWalk BuildWalk()
    {
        var version = ChangeCount;
        var keys = Hashed!.WalkKeys();
        var hashes = new uint[keys.Length];
        for (var i = 0; i < keys.Length; i++) hashes[i] = WalkHash(keys[i]);
        Array.Sort(hashes, keys);
        return new HashedWalk(DropRepeats(keys, hashes, out var kept), hashes[..kept], version);
    }

    // A lock-free copy of a changing dictionary can meet a key twice (removed and added back meanwhile).
    private TKey[] DropRepeats(TKey[] keys, uint[] hashes, out int kept)
    {
        kept = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var repeat = false;
            for (var j = kept - 1; j >= 0 && hashes[j] == hashes[i] && !repeat; j--) repeat = KeyEquality.Equals(keys[j], keys[i]);
            if (repeat) continue;
            keys[kept] = keys[i];
            hashes[kept] = hashes[i];
            kept++;
        }
        return kept == keys.Length ? keys : keys[..kept];
    }

    /// <summary>Index in <paramref name="walk"/> just after <paramref name="key"/>'s place in the walk order.</summary>
    private int IndexAfter(HashedWalk walk, TKey key)
    {
        var h = WalkHash(key);
        var i = LowerBound(walk.Hashes, h);
        for (var j = i; j < walk.Hashes.Length && walk.Hashes[j] == h; j++)
        {
            if (KeyEquality.Equals(walk.Keys[j], key)) return j + 1;
        }
        // Not in this walk (written after it was built): continue after every key of the same hash.
        while (i < walk.Hashes.Length && walk.Hashes[i] == h) i++;
        return i;
    }

    private static int LowerBound(uint[] hashes, uint h)
    {
        int lo = 0, hi = hashes.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (hashes[mid] < h) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private bool NextLiveKey(HashedWalk walk, int from, out TKey key)
    {
        for (var i = from; i < walk.Keys.Length; i++)
        {
            if (Store.TryGet(walk.Keys[i], out _))
            {
                key = walk.Keys[i];
                return true;
            }
        }
        key = default!;
        return false;
    }

    public override bool TryFirst(out TKey key) =>
        Ordered is { } ordered ? ordered.TryEdge(true, out key) : NextLiveKey(CurrentWalk(refresh: true), 0, out key);

    // For hashed tables, last/prev are first/next, as in ETS.
    public override bool TryLast(out TKey key) =>
        Ordered is { } ordered ? ordered.TryEdge(false, out key) : TryFirst(out key);

    public override bool TryNext(TKey key, out TKey next)
    {
        if (Ordered is { } ordered) return ordered.TryNeighbour(key, true, out next);
        var walk = CurrentWalk(refresh: false);
        return NextLiveKey(walk, IndexAfter(walk, key), out next);
    }

    public override bool TryPrev(TKey key, out TKey prev) =>
        Ordered is { } ordered ? ordered.TryNeighbour(key, false, out prev) : TryNext(key, out prev);

    public override IReadOnlyList<TObject>? Slot(int index)
    {
        if (index < 0) Throw.Argument(nameof(index), "A slot index cannot be negative.");
        if (Ordered is not null)
        {
            // The i-th object in key order, as ETS's ordered_set slot.
            var seen = 0;
            foreach (var (_, bucket) in Buckets(false))
            {
                var b = bucket;
                if (seen++ == index) return Objects(ref b).ToArray();
            }
            return null;
        }
        var walk = CurrentWalk(refresh: index == 0);
        if (index >= walk.Keys.Length) return null;
        return Lookup(walk.Keys[index]);
    }

    /// <summary>Every (key, bucket) pair; ordered stores in key order, read a chunk at a time under the lock.</summary>
    protected IEnumerable<(TKey Key, TBucket Bucket)> Buckets(bool descending)
    {
        if (Hashed is { } hashed)
        {
            foreach (var kv in hashed) yield return (kv.Key, kv.Value);
            yield break;
        }
        var ordered = Ordered!;
        var hasAfter = false;
        TKey after = default!;
        while (true)
        {
            var chunk = ordered.CopyRange(hasAfter, after, ChunkSize, descending);
            foreach (var kv in chunk) yield return (kv.Key, kv.Value);
            if (chunk.Count < ChunkSize) yield break;
            hasAfter = true;
            after = chunk[^1].Key;
        }
    }

    public override TAcc Fold<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder, bool fromRight)
    {
        var acc = seed;
        foreach (var (_, bucket) in Buckets(fromRight && Ordered is not null))
        {
            var b = bucket;
            var objects = Objects(ref b);
            if (fromRight && Ordered is not null)
                for (var i = objects.Length - 1; i >= 0; i--) acc = folder(acc, objects[i]);
            else
                foreach (var o in objects) acc = folder(acc, o);
        }
        return acc;
    }
}
