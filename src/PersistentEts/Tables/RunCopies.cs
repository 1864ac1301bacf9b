using System.Buffers;
using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// What a snapshot capture of a hashed table keeps of the runs of buckets that writers change before the
/// reader gets to them: the first write into such a run copies the whole run (its keys and buckets as of
/// the capture's instant) and the reader emits the copy instead of the run. Later writes into a copied or
/// read run cost the writer nothing; no key is ever looked up in a map, by the writer or by the reader.
/// </summary>
/// <remarks>
/// A run and its copy belong to the run's stripe, and both are changed and read only under that stripe's
/// lock: the lock a writer of one of the run's keys already holds, and the one the reader holds while it
/// reads the run. Keys stay in their runs for the capture's length (the store's layout hold).
/// This replaced pre-images saved key by key, first in one <c>ConcurrentDictionary</c> for the whole
/// capture, then in a map per stripe. Each write of a key not yet read cost a lookup in that map (and an
/// entry), and the reader a lookup per key of any run that had one. A run costs about as much to copy as a
/// key cost to look up, and a run holds sixteen keys or so. A writer replacing random rows of a million-row
/// set while saves ran back to back, its speed ÷ its idle speed over 2 s windows: 0.48–0.64 with the one
/// dictionary, 0.53–0.75 with a map per stripe, 0.58–0.82 with run copies (alternating runs).
/// </remarks>
internal sealed class RunCopies<TKey, TBucket> : IDisposable where TKey : notnull
{
    // A run's state in _state: not read and not copied, read (writers then keep nothing for it), or else
    // 1 + the index of its copy's first entry in its stripe's _copies, the copy's length in _lengths.
    private const int Untouched = 0;
    private const int Read = -1;

    private readonly HashStore<TKey, TBucket> _store;

    // Per run, written only under the run's stripe lock. Rented (a million-key table has 62,500 runs);
    // the first RunCount entries are this capture's.
    private readonly int[] _state;
    private readonly int[] _lengths;

    // Per stripe, the copies of its runs one after another; made by the first writer that copies one of
    // its runs, and read and written only under the stripe's lock.
    private readonly List<KeyValuePair<TKey, TBucket>>?[] _copies;

    /// <summary>Call under every stripe lock, with the store's layout held for the capture's length.</summary>
    public RunCopies(HashStore<TKey, TBucket> store)
    {
        _store = store;
        RunCount = store.RunCount;
        _state = ArrayPool<int>.Shared.Rent(RunCount);
        Array.Clear(_state, 0, RunCount);
        _lengths = ArrayPool<int>.Shared.Rent(RunCount);
        _copies = new List<KeyValuePair<TKey, TBucket>>?[store.StripeCount];
    }

    /// <summary>Runs of buckets the capture reads, fixed for its length.</summary>
    public int RunCount { get; }

    /// <summary>
    /// Before a writer changes <paramref name="key"/>: copies the key's run as it is now, unless the reader
    /// has read it or it was copied already. The caller holds the key's stripe lock.
    /// </summary>
    public void BeforeWriteLocked(TKey key)
    {
        var run = _store.RunOf(key);
        if (_state[run] != Untouched) return;
        var copies = _copies[_store.StripeOfRun(run)] ??= [];
        var start = copies.Count;
        _store.ForEachInRunLocked(run, ref copies,
            static (ref List<KeyValuePair<TKey, TBucket>> into, TKey k, TBucket bucket) => into.Add(new(k, bucket)));
        _state[run] = start + 1;
        _lengths[run] = copies.Count - start;
    }

    /// <summary>True once the reader has read <paramref name="run"/>; the caller holds its stripe lock.</summary>
    public bool WasRead(int run) => _state[run] == Read;

    /// <summary>
    /// The keys and buckets of <paramref name="run"/> as of the capture's instant, when a writer copied it;
    /// empty and false when the run itself still is as it was. The caller holds the run's stripe lock.
    /// </summary>
    public bool TryGetCopy(int run, out ReadOnlySpan<KeyValuePair<TKey, TBucket>> copy)
    {
        var state = _state[run];
        if (state <= Untouched)
        {
            copy = default;
            return false;
        }
        copy = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_copies[_store.StripeOfRun(run)]).Slice(state - 1, _lengths[run]);
        return true;
    }

    /// <summary>The reader has emitted <paramref name="run"/>: writers keep nothing more for it. The caller holds its stripe lock.</summary>
    public void MarkRead(int run) => _state[run] = Read;

    /// <summary>Gives the run states back to the pool; call once no writer or reader can use the capture.</summary>
    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_state);
        ArrayPool<int>.Shared.Return(_lengths);
    }
}
