using System.Collections.Concurrent;
using System.Diagnostics;
using PersistentEts.Storage;

namespace PersistentEts.Tables;

internal abstract partial class StoreCore<TKey, TObject, TBucket>
{
    // The capture in progress, if any. Set and cleared while holding every stripe lock, so each writer
    // (which holds its key's stripe lock) sees a stable value for the whole of its write.
    private volatile Capture? _capture;

    private readonly SemaphoreSlim _snapshotGate = new(1, 1);

    /// <summary>
    /// How a snapshot stays point-in-time without stopping writers: before a writer changes a key that the
    /// reader has not emitted yet, it saves the key's old bucket (its pre-image). The reader emits each key
    /// once, from its pre-image when there is one, and finally the pre-images of keys deleted before it got
    /// to them. Only keys changed during the save cost memory.
    /// </summary>
    private sealed class Capture(StoreCore<TKey, TObject, TBucket> owner)
    {
        public readonly ConcurrentDictionary<TKey, PreImage> PreImages = new(owner.KeyEquality);

        // Ordered stores: the last key emitted (valid when HasCursor). Written under the store's lock.
        public TKey CursorKey = default!;
        public volatile bool HasCursor;

        // Hashed stores: the walk the reader follows, and how many of its keys were emitted. The walk is
        // published before the reader emits anything; writers before that simply save pre-images.
        public volatile HashedWalk? Walk;
        public volatile int Emitted;

        public bool IsEmitted(TKey key)
        {
            if (owner.Store.IsOrdered)
                return HasCursor && owner._keyOrder!.Compare(key, CursorKey) <= 0;
            var walk = Walk;
            if (walk is null) return false;
            var i = owner.IndexAfter(walk, key) - 1;
            return i >= 0 && i < Emitted && owner.KeyEquality.Equals(walk.Keys[i], key);
        }
    }

    internal readonly record struct PreImage(bool Existed, TBucket Bucket);

    // The ordered store's comparer, for capture cursors; null for hashed stores.
    private IComparer<TKey>? _keyOrder => (Store as SortedStore<TKey, TBucket>)?.Comparer;

    /// <summary>Called before every change to a key, under its stripe lock: saves the pre-image if a capture needs it.</summary>
    private void BeforeWriteLocked(TKey key)
    {
        var c = _capture;
        if (c is null || c.PreImages.ContainsKey(key) || c.IsEmitted(key)) return;
        var existed = Store.TryGetLocked(key, out var old);
        c.PreImages.TryAdd(key, new PreImage(existed, old));
    }

    /// <summary>Called under every stripe lock before the table is emptied.</summary>
    private void BeforeClearLocked()
    {
        var c = _capture;
        if (c is null) return;
        foreach (var (key, bucket) in Buckets(false))
        {
            if (!c.PreImages.ContainsKey(key) && !c.IsEmitted(key)) c.PreImages.TryAdd(key, new PreImage(true, bucket));
        }
    }

    public override ISnapshotView<TObject> BeginSnapshot()
    {
        _snapshotGate.Wait();
        var stopwatch = Stopwatch.StartNew();
        var stripes = StripedLocks.All(Store);
        StripedLocks.EnterAll(Store, stripes);
        long changes;
        try
        {
            _capture = new Capture(this);
            changes = ChangeCount;
        }
        finally
        {
            StripedLocks.ExitAll(Store, stripes);
        }
        return new View(this, stopwatch.Elapsed, changes);
    }

    private void EndCapture()
    {
        var stripes = StripedLocks.All(Store);
        StripedLocks.EnterAll(Store, stripes);
        _capture = null;
        StripedLocks.ExitAll(Store, stripes);
        _snapshotGate.Release();
    }

    private IEnumerable<TObject> CapturedObjects(Capture c) =>
        Store.IsOrdered ? CapturedOrdered(c) : CapturedHashed(c);

    private IEnumerable<TObject> CapturedOrdered(Capture c)
    {
        var batch = new List<TBucket>(ChunkSize);
        while (true)
        {
            batch.Clear();
            var done = false;
            lock (Store.LockOf(0))
            {
                var chunk = Store.CopyRange(c.HasCursor, c.CursorKey, ChunkSize, descending: false);
                foreach (var (key, bucket) in chunk)
                {
                    if (c.PreImages.TryRemove(key, out var pre))
                    {
                        if (pre.Existed) batch.Add(pre.Bucket);
                    }
                    else
                    {
                        batch.Add(bucket);
                    }
                }
                if (chunk.Count > 0)
                {
                    c.CursorKey = chunk[^1].Key;
                    c.HasCursor = true;
                }
                done = chunk.Count < ChunkSize;
            }
            foreach (var b in batch)
            {
                var bucket = b;
                foreach (var o in Objects(ref bucket).ToArray()) yield return o;
            }
            if (done) break;
        }
        foreach (var o in Leftovers(c)) yield return o;
    }

    private IEnumerable<TObject> CapturedHashed(Capture c)
    {
        var walk = BuildWalk();
        c.Walk = walk;
        for (var i = 0; i < walk.Keys.Length; i++)
        {
            var key = walk.Keys[i];
            TBucket bucket;
            bool emit;
            lock (Store.LockOf(Store.StripeOf(key)))
            {
                if (c.PreImages.TryRemove(key, out var pre))
                {
                    emit = pre.Existed;
                    bucket = pre.Bucket;
                }
                else
                {
                    emit = Store.TryGetLocked(key, out bucket);
                }
                c.Emitted = i + 1;
            }
            if (!emit) continue;
            foreach (var o in Objects(ref bucket).ToArray()) yield return o;
        }
        foreach (var o in Leftovers(c)) yield return o;
    }

    /// <summary>Keys that existed at the instant but that the reader never met (deleted before it got there).</summary>
    private IEnumerable<TObject> Leftovers(Capture c)
    {
        foreach (var (_, pre) in c.PreImages)
        {
            if (!pre.Existed) continue;
            var bucket = pre.Bucket;
            foreach (var o in Objects(ref bucket).ToArray()) yield return o;
        }
    }

    private sealed class View(StoreCore<TKey, TObject, TBucket> core, TimeSpan pause, long changes) : ISnapshotView<TObject>
    {
        private int _disposed;

        public TimeSpan Pause => pause;

        public long ChangeCount => changes;

        public IEnumerable<TObject> Objects() => core.CapturedObjects(core._capture!);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) core.EndCapture();
        }
    }
}
