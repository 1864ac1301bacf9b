namespace PersistentEts.Tables;

internal abstract partial class StoreCore<TKey, TObject, TBucket>
{
    /// <summary>
    /// Where a limited select stops: at <see cref="Key"/> (index <see cref="Index"/> of
    /// <see cref="WalkKeys"/> for hashed tables), after <see cref="Done"/> of its objects.
    /// </summary>
    private sealed record Cursor(TKey Key, int Index, int Done, TKey[]? WalkKeys);

    public override List<TResult> SelectAll<TResult>(MatchSpec<TObject, TResult> spec, bool descending)
    {
        if (descending) EnsureOrdered("SelectReverse");
        var results = new List<TResult>();
        foreach (var (_, bucket) in Buckets(descending))
        {
            var b = bucket;
            foreach (var o in Objects(ref b))
            {
                if (spec.Where(o)) results.Add(spec.Selector(o));
            }
        }
        return results;
    }

    public override SelectPage<TResult> SelectPage<TResult>(MatchSpec<TObject, TResult> spec, int limit, bool descending)
    {
        if (descending) EnsureOrdered("SelectReverse");
        if (limit < 1) Throw.Argument(nameof(limit), $"A select limit must be at least 1, not {limit}.");
        return Page(spec, limit, descending, null);
    }

    public override SelectPage<TResult> SelectContinue<TResult>(SelectContinuation<TResult> continuation)
    {
        if (!ReferenceEquals(continuation.Table, this))
            Throw.Argument(nameof(continuation), $"The continuation belongs to another table, not '{Name}'.");
        return Page((MatchSpec<TObject, TResult>)continuation.Spec, continuation.Limit, continuation.Descending,
            (Cursor)continuation.Position);
    }

    private SelectPage<TResult> Page<TResult>(MatchSpec<TObject, TResult> spec, int limit, bool descending, Cursor? from)
    {
        var results = new List<TResult>(Math.Min(limit, 1024));
        // Hashed tables page over a copy of the keys taken by the first page; ordered ones resume by key.
        var walkKeys = Hashed is { } hashed ? from?.WalkKeys ?? hashed.WalkKeys() : null;
        foreach (var (key, bucket, index) in Resume(from, descending, walkKeys))
        {
            var b = bucket;
            var objects = Objects(ref b);
            var start = from is not null && index == from.Index && KeyEquality.Equals(key, from.Key) ? from.Done : 0;
            for (var i = start; i < objects.Length; i++)
            {
                if (!spec.Where(objects[i])) continue;
                results.Add(spec.Selector(objects[i]));
                if (results.Count == limit)
                {
                    var next = new Cursor(key, index, i + 1, walkKeys);
                    return new(results, new SelectContinuation<TResult>(this, spec, limit, descending, next));
                }
            }
        }
        return new(results, null);
    }

    /// <summary>The buckets from a cursor on (from the start when null), with their walk index.</summary>
    private IEnumerable<(TKey Key, TBucket Bucket, int Index)> Resume(Cursor? from, bool descending, TKey[]? keys)
    {
        if (keys is not null)
        {
            for (var i = from?.Index ?? 0; i < keys.Length; i++)
            {
                if (Store.TryGet(keys[i], out var bucket)) yield return (keys[i], bucket, i);
            }
            yield break;
        }
        var hasAfter = false;
        TKey after = default!;
        if (from is not null)
        {
            if (Store.TryGet(from.Key, out var current)) yield return (from.Key, current, 0);
            hasAfter = true;
            after = from.Key;
        }
        while (true)
        {
            var chunk = Ordered!.CopyRange(hasAfter, after, ChunkSize, descending);
            foreach (var kv in chunk) yield return (kv.Key, kv.Value, 0);
            if (chunk.Count < ChunkSize) yield break;
            hasAfter = true;
            after = chunk[^1].Key;
        }
    }

    public override long SelectCount(Func<TObject, bool> where)
    {
        long n = 0;
        foreach (var (_, bucket) in Buckets(false))
        {
            var b = bucket;
            foreach (var o in Objects(ref b))
            {
                if (where(o)) n++;
            }
        }
        return n;
    }

    protected void EnsureOrdered(string operation)
    {
        if (Ordered is null) Throw.WrongType(operation, Type, "an ordered_set");
    }

    protected void EnsureSet(string operation)
    {
        if (Type.IsBag()) Throw.WrongType(operation, Type, "a set or ordered_set");
    }
}
