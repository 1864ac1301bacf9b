using System.Buffers;
using System.Runtime.InteropServices;
using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// What a snapshot capture of a hashed table keeps of the buckets that writers change before the reader
/// gets to them: the first write into such a bucket copies its chain (its keys and buckets as of the
/// capture's instant) and the reader emits the copy instead of the chain. Later writes into a copied
/// bucket, or into a run the reader has read, cost the writer nothing; no key is ever looked up in a map,
/// by the writer or by the reader.
/// </summary>
/// <remarks>
/// <para>
/// A bucket and its copy belong to the stripe of the bucket's run, and both are changed and read only
/// under that stripe's lock: the lock a writer of one of the bucket's keys already holds, and the one the
/// reader holds while it reads the run. Keys stay in their buckets for the capture's length (the store's
/// layout hold).
/// </para>
/// <para>
/// This replaced, in turn, pre-images saved key by key in one <c>ConcurrentDictionary</c>, then in a map
/// per stripe (a lookup per write, and one per key read), then copies of a whole run of sixteen buckets
/// on its first write. The written bucket is one the writer has just searched, so copying it touches
/// memory already in the cache; a run's other fifteen chains were not. In a bag, whose nodes are
/// replaced on every write, those chains lie scattered over the heap: a writer adding objects to a
/// million-key bag while saves ran back to back spent 2.2–4.4 µs per run copied, about a quarter of its
/// time, and ran at 0.53–0.61 of its idle speed; copying buckets, 0.77–0.84 (alternating runs).
/// </para>
/// </remarks>
internal sealed class BucketCopies<TKey, TBucket> : IDisposable where TKey : notnull
{
    private readonly HashStore<TKey, TBucket> _store;

    // Per run, true once the reader has emitted it (writers then keep nothing for its buckets). Rented;
    // the first RunCount entries are this capture's. Written only under the run's stripe lock.
    private readonly bool[] _read;

    // Per bucket, 0 while nothing is kept for it, else 1 + the number of its copy in its stripe's
    // StripeCopies. Rented; the first BucketCount entries are this capture's. Written only under the
    // stripe lock of the bucket's run.
    private readonly int[] _copyOf;

    // Per stripe, the copies of its buckets one after another; made by the first writer that copies one
    // of its buckets, and read and written only under the stripe's lock.
    private readonly StripeCopies?[] _stripes;

    /// <summary>One stripe's copies: their entries one after another, and where each copy starts.</summary>
    private sealed class StripeCopies
    {
        public readonly List<KeyValuePair<TKey, TBucket>> Entries = [];

        // Copy i is Entries[Starts[i] .. Starts[i + 1]), the last one running to the end of Entries.
        public readonly List<int> Starts = [];

        public ReadOnlySpan<KeyValuePair<TKey, TBucket>> Copy(int number)
        {
            var start = Starts[number];
            var end = number + 1 < Starts.Count ? Starts[number + 1] : Entries.Count;
            return CollectionsMarshal.AsSpan(Entries)[start..end];
        }
    }

    /// <summary>Call under every stripe lock, with the store's layout held for the capture's length.</summary>
    public BucketCopies(HashStore<TKey, TBucket> store)
    {
        _store = store;
        RunCount = store.RunCount;
        _read = ArrayPool<bool>.Shared.Rent(RunCount);
        Array.Clear(_read, 0, RunCount);
        _copyOf = ArrayPool<int>.Shared.Rent(store.BucketCount);
        Array.Clear(_copyOf, 0, store.BucketCount);
        _stripes = new StripeCopies?[store.StripeCount];
    }

    /// <summary>Runs of buckets the capture reads, fixed for its length.</summary>
    public int RunCount { get; }

    /// <summary>
    /// Before a writer changes <paramref name="key"/>: copies the key's bucket as it is now, unless the
    /// reader has read its run or it was copied already. The caller holds the key's stripe lock.
    /// </summary>
    public void BeforeWriteLocked(TKey key)
    {
        var bucket = _store.BucketIndexOf(key);
        var run = HashStore<TKey, TBucket>.RunOfBucket(bucket);
        if (_read[run] || _copyOf[bucket] != 0) return;
        var stripe = _stripes[_store.StripeOfRun(run)] ??= new();
        stripe.Starts.Add(stripe.Entries.Count);
        // An empty bucket is kept too, as an empty copy: a key added to it later was not there at the instant.
        var entries = stripe.Entries;
        _store.ForEachInBucketLocked(bucket, ref entries,
            static (ref List<KeyValuePair<TKey, TBucket>> into, TKey k, TBucket b) => into.Add(new(k, b)));
        _copyOf[bucket] = stripe.Starts.Count;
    }

    /// <summary>True once the reader has read <paramref name="run"/>; the caller holds its stripe lock.</summary>
    public bool WasRead(int run) => _read[run];

    /// <summary>
    /// The keys and buckets of <paramref name="bucket"/> as of the capture's instant, when a writer copied
    /// it; empty and false when the bucket itself still is as it was. The caller holds the stripe lock of
    /// the bucket's run.
    /// </summary>
    public bool TryGetCopy(int bucket, out ReadOnlySpan<KeyValuePair<TKey, TBucket>> copy)
    {
        var number = _copyOf[bucket];
        if (number == 0)
        {
            copy = default;
            return false;
        }
        copy = _stripes[_store.StripeOfRun(HashStore<TKey, TBucket>.RunOfBucket(bucket))]!.Copy(number - 1);
        return true;
    }

    /// <summary>The reader has emitted <paramref name="run"/>: writers keep nothing more for it. The caller holds its stripe lock.</summary>
    public void MarkRead(int run) => _read[run] = true;

    /// <summary>Gives the rented states back to the pool; call once no writer or reader can use the capture.</summary>
    public void Dispose()
    {
        ArrayPool<bool>.Shared.Return(_read);
        ArrayPool<int>.Shared.Return(_copyOf);
    }
}
