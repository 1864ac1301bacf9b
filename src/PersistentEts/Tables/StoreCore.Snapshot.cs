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
    /// reader has not emitted yet, it copies what the reader must see instead, and the reader emits the
    /// copy in its place. A hashed store copies the key's bucket (<see cref="BucketCopies{TKey, TBucket}"/>),
    /// an ordered store the key's leaf past the reader's cursor (<see cref="OrderedCopies{TKey, TBucket}"/>).
    /// Each bucket or leaf is copied once, on its first write; only what writers change during the save
    /// costs memory.
    /// </summary>
    private sealed class Capture(StoreCore<TKey, TObject, TBucket> owner)
    {
        // Exactly one of these: copies of the buckets (hashed stores) or of the leaves (ordered) written
        // before the reader got to them.
        public readonly BucketCopies<TKey, TBucket>? Copies = owner.Hashed is { } hashed ? new(hashed) : null;
        public readonly OrderedCopies<TKey, TBucket>? Leaves = owner.KeyOrder is { } order ? new(order) : null;

        // Ordered stores: set under the store's lock once every unchanged leaf has been read, when the
        // reader emits the last copies; from then on writers copy nothing and the reader is done. (A hashed
        // capture needs no such flag: once every run is read, writers find each one read.)
        public volatile bool Closed;

        // Ordered stores: the last key emitted (valid when HasCursor). Written under the store's lock.
        public TKey CursorKey = default!;
        public volatile bool HasCursor;

        /// <summary>
        /// Before a writer changes <paramref name="key"/>, under its stripe lock: copies its bucket or leaf
        /// as of the instant, unless the reader has met the key already or the copy was made.
        /// </summary>
        public void KeepLocked(TKey key)
        {
            if (Closed) return;
            if (Copies is not null)
            {
                Copies.BeforeWriteLocked(key);
                return;
            }
            if (HasCursor && owner.KeyOrder!.Compare(key, CursorKey) <= 0) return;
            if (owner.Ordered!.MarkLeafForWriteLocked(key, HasCursor, CursorKey) is { } copy) Leaves!.Add(copy);
        }

        /// <summary>Parts a hashed capture is read in: stretches of <see cref="RunsPerPart"/> runs of buckets (keys stay in their runs for the capture's length: the store's layout hold).</summary>
        public int Parts => Copies is null ? 0 : (Copies.RunCount + RunsPerPart - 1) / RunsPerPart;
    }

    // Runs of buckets per part of a hashed capture: 1,024 buckets, enough that the saving thread reads a
    // chunk for the encoders in a few calls, few enough that each call holds a stripe's lock only briefly.
    private const int RunsPerPart = 64;

    // The ordered store's comparer, for capture cursors; null for hashed stores.
    private IComparer<TKey>? KeyOrder => Ordered?.Comparer;

    /// <summary>Called before every change to a key, under its stripe lock: keeps the key as of a capture's instant if the capture needs it.</summary>
    private void BeforeWriteLocked(TKey key)
    {
        EnsureWritable();
        _capture?.KeepLocked(key);
    }

    /// <summary>Called under every stripe lock before the table is emptied.</summary>
    private void BeforeClearLocked()
    {
        EnsureWritable();
        var c = _capture;
        if (c is null) return;
        foreach (var (key, _) in Buckets(false)) c.KeepLocked(key);
    }

    public override ISnapshotView<TObject> BeginSnapshot(Func<long>? atInstant = null)
    {
        _snapshotGate.Wait();
        var stopwatch = Stopwatch.StartNew();
        var stripes = StripedLocks.All(Store);
        StripedLocks.EnterAll(Store, stripes);
        long changes, instant = 0;
        var held = false;
        try
        {
            instant = atInstant?.Invoke() ?? 0;
            // The hold first: the capture sizes its runs from the layout it keeps.
            Hashed?.HoldLayoutLocked();
            held = Hashed is not null;
            Ordered?.BeginLeafMarksLocked();
            _capture = new Capture(this);
            changes = ChangeCount;
        }
        catch
        {
            // Still under every stripe lock (the finally below runs after this).
            if (held) Hashed!.ReleaseLayoutLocked();
            Ordered?.EndLeafMarksLocked();
            _capture = null;
            _snapshotGate.Release();
            throw;
        }
        finally
        {
            StripedLocks.ExitAll(Store, stripes);
        }
        return new View(this, stopwatch.Elapsed, changes, instant);
    }

    private void EndCapture()
    {
        var stripes = StripedLocks.All(Store);
        StripedLocks.EnterAll(Store, stripes);
        var ended = _capture;
        _capture = null;
        Hashed?.ReleaseLayoutLocked();
        Ordered?.EndLeafMarksLocked();
        // No writer or reader can reach the capture now: writers read it under their stripe lock.
        ended?.Copies?.Dispose();
        StripedLocks.ExitAll(Store, stripes);
        _snapshotGate.Release();
    }

    /// <summary>
    /// Ordered stores: the next keys in key order after the capture's cursor, under the store's one lock:
    /// up to <see cref="ChunkSize"/> entries of leaves no writer has changed, each after the copies of
    /// changed leaves that come before it; once those leaves are read, the copies left. False once all is read.
    /// </summary>
    private bool ReadNextOrdered(Capture c, ObjectRun<TObject> into)
    {
        if (c.Closed) return false;
        var state = (Core: this, Capture: c, Batch: into);
        lock (Store.LockOf(0))
        {
            var met = Ordered!.ForEachUnmarkedAfterLocked(c.HasCursor, c.CursorKey, ChunkSize, ref state,
                static (ref (StoreCore<TKey, TObject, TBucket> Core, Capture Capture, ObjectRun<TObject> Batch) s,
                    ReadOnlySpan<TKey> keys, ReadOnlySpan<TBucket> buckets) =>
                {
                    // No copy holds a key between two keys of an unmarked leaf (see SortedStore.Capture.cs):
                    // the copies due before the stretch's first key are all that are due before any of its keys.
                    s.Core.EmitCopiesBefore(s.Capture, true, keys[0], s.Batch);
                    s.Core.EmitAll(buckets, s.Batch);
                },
                out var last);
            if (met > 0)
            {
                c.CursorKey = last;
                c.HasCursor = true;
            }
            if (met < ChunkSize)
            {
                // Every unchanged leaf is read: the copies left come after all of it. Closed first, under
                // the lock, so no writer copies anything more.
                c.Closed = true;
                EmitCopiesBefore(c, false, default!, into);
            }
        }
        // Monitor is not fair: a reader that takes the one lock again at once starves the writers waiting
        // on it. Yielding here lets a waiting writer in between chunks.
        Thread.Yield();
        return true;
    }

    /// <summary>Ordered stores: emits the copies of leaves whose keys come before <paramref name="key"/> (or, without one, all).</summary>
    private void EmitCopiesBefore(Capture c, bool hasKey, TKey key, ObjectRun<TObject> batch)
    {
        while (c.Leaves!.TryTakeBefore(hasKey, key, out var copy))
        {
            foreach (var (_, bucket) in copy) Emit(bucket, batch);
        }
    }

    /// <summary>
    /// Hashed stores: a part's runs of buckets are emitted in array order, each under its stripe's lock,
    /// straight from the table's own buckets, so every key is met exactly once, as of the instant; a bucket
    /// that a writer changed before its run was read is emitted from the copy the writer made first.
    /// </summary>
    private void ReadPart(Capture c, int part, ObjectRun<TObject> into)
    {
        var hashed = Hashed!;
        var copies = c.Copies!;
        var end = Math.Min((part + 1) * RunsPerPart, copies.RunCount);
        var state = (Core: this, Batch: into);
        // A set's buckets are its objects: they are appended as they are, without a call per object.
        var buckets = into as ObjectRun<TBucket>;
        for (var run = part * RunsPerPart; run < end; run++)
        {
            lock (Store.LockOf(hashed.StripeOfRun(run)))
            {
                if (copies.WasRead(run)) throw new InvalidOperationException($"Run {run} of the capture was read twice.");
                var first = run * HashStore<TKey, TBucket>.BucketsPerRun;
                for (var bucket = first; bucket < first + HashStore<TKey, TBucket>.BucketsPerRun; bucket++)
                {
                    if (copies.TryGetCopy(bucket, out var copy))
                    {
                        foreach (var (_, objects) in copy) Emit(objects, into);
                        continue;
                    }
                    if (buckets is not null)
                    {
                        hashed.AppendBucketLocked(bucket, buckets);
                        continue;
                    }
                    hashed.ForEachInBucketLocked(bucket, ref state,
                        static (ref (StoreCore<TKey, TObject, TBucket> Core, ObjectRun<TObject> Batch) s, TKey _, TBucket objects) =>
                            s.Core.Emit(objects, s.Batch));
                }
                copies.MarkRead(run);
            }
        }
    }

    private void Emit(TBucket bucket, ObjectRun<TObject> batch)
    {
        foreach (var o in Objects(ref bucket)) batch.Add(o);
    }

    private void EmitAll(ReadOnlySpan<TBucket> buckets, ObjectRun<TObject> batch)
    {
        // An ordered_set's buckets are its objects: copied as they are, not one call per object.
        if (batch is ObjectRun<TBucket> same)
        {
            same.AddRange(buckets);
            return;
        }
        foreach (var bucket in buckets) Emit(bucket, batch);
    }

    private sealed class View(StoreCore<TKey, TObject, TBucket> core, TimeSpan pause, long changes, long instant) : ISnapshotView<TObject>
    {
        private int _disposed;

        public TimeSpan Pause => pause;

        public long AtInstant => instant;

        public long ChangeCount => changes;

        public bool ReadNext(ObjectRun<TObject> into) => core.ReadNextOrdered(core._capture!, into);

        public int Parts => core.Hashed is null ? 0 : core._capture!.Parts;

        public void ReadPart(int part, ObjectRun<TObject> into) => core.ReadPart(core._capture!, part, into);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) core.EndCapture();
        }
    }
}
