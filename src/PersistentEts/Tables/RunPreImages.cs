using System.Buffers;
using System.Runtime.InteropServices;
using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// The pre-images of one snapshot capture of a hashed table, kept with the runs of buckets the capture
/// reads. Each stripe has a map of its own, changed only under that stripe's lock: the lock a writer of
/// one of its keys already holds, and the one the reader holds while it reads one of its runs. Saving a
/// pre-image is then one lookup in a small map that takes no lock of its own. Each run also counts the
/// pre-images of its keys that the reader has yet to meet, so the reader of a run that no writer touched
/// (the common case) asks no map at all.
/// </summary>
/// <remarks>
/// This replaced one <c>ConcurrentDictionary</c> for the whole capture. A writer paid for that one's own
/// lock, a node allocated per pre-image, and the growth of a map shared by every stripe, rehashed under
/// all of its locks, while the writer waited. The reader paid a lookup per key of the table once any
/// writer had saved anything. With a writer replacing random rows of a million-row set while saves ran
/// back to back, the writer ran at 0.50–0.64 of its idle speed; with pre-images not saved at all (wrong,
/// measured only to bound the cost) at 0.60–0.98.
/// </remarks>
internal sealed class RunPreImages<TKey, TBucket> : IDisposable where TKey : notnull
{
    // A run's entry in _pending once the reader has emitted it: writers then save nothing for its keys.
    private const int Read = -1;

    private readonly HashStore<TKey, TBucket> _store;
    private readonly IEqualityComparer<TKey> _equality;

    // Per run: Read, or how many pre-images of its keys the reader has yet to meet. Written only under the
    // run's stripe lock. Rented (a million-key table has 62,500 runs, a quarter of a megabyte per save);
    // the first RunCount entries are this capture's.
    private readonly int[] _pending;

    // Per stripe, made by the first writer that saves a pre-image there. Read and written only under the
    // stripe's lock until the capture is closed, and after that only by the one reader of the leftovers.
    private readonly Dictionary<TKey, PreImage<TBucket>>?[] _byStripe;

    /// <summary>Call under every stripe lock, with the store's layout held for the capture's length.</summary>
    public RunPreImages(HashStore<TKey, TBucket> store, IEqualityComparer<TKey> equality)
    {
        _store = store;
        _equality = equality;
        RunCount = store.RunCount;
        _pending = ArrayPool<int>.Shared.Rent(RunCount);
        Array.Clear(_pending, 0, RunCount);
        _byStripe = new Dictionary<TKey, PreImage<TBucket>>?[store.StripeCount];
    }

    /// <summary>Runs of buckets the capture reads, fixed for its length.</summary>
    public int RunCount { get; }

    /// <summary>
    /// Before a writer changes <paramref name="key"/>: saves the key's bucket as it is now, unless the
    /// reader has read the key's run, or the key already has a pre-image. The caller holds the key's stripe lock.
    /// </summary>
    public void SaveLocked(TKey key)
    {
        var run = _store.RunOf(key);
        if (_pending[run] == Read) return;
        var stripe = _store.StripeOfRun(run);
        var map = _byStripe[stripe] ??= new Dictionary<TKey, PreImage<TBucket>>(_equality);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(map, key, out var saved);
        if (saved) return;
        // Nothing changes the map between the slot's lookup and this write: the reference stays valid.
        var existed = _store.TryGetLocked(key, out var bucket);
        slot = new PreImage<TBucket>(existed, bucket);
        _pending[run]++;
    }

    /// <summary>True once the reader has emitted <paramref name="run"/>; the caller holds its stripe lock.</summary>
    public bool WasRead(int run) => _pending[run] == Read;

    /// <summary>
    /// The reader meets <paramref name="key"/> in <paramref name="run"/>: takes its pre-image, if any. The
    /// caller holds the run's stripe lock.
    /// </summary>
    public bool TryTake(int run, TKey key, out PreImage<TBucket> pre)
    {
        if (_pending[run] <= 0 || !_byStripe[_store.StripeOfRun(run)]!.Remove(key, out pre))
        {
            pre = default;
            return false;
        }
        _pending[run]--;
        return true;
    }

    /// <summary>
    /// The reader has met every key of <paramref name="run"/>: writers save nothing more for it. The
    /// pre-images it did not meet (keys deleted before it got there) stay for <see cref="Remaining"/>.
    /// </summary>
    public void MarkRead(int run) => _pending[run] = Read;

    /// <summary>What is left; call only once the capture is closed (no writer saves any more).</summary>
    public IEnumerable<PreImage<TBucket>> Remaining()
    {
        foreach (var map in _byStripe)
        {
            if (map is null) continue;
            foreach (var pre in map.Values) yield return pre;
        }
    }

    /// <summary>Gives the run counts back to the pool; call once no writer or reader can use the capture.</summary>
    public void Dispose() => ArrayPool<int>.Shared.Return(_pending);
}
