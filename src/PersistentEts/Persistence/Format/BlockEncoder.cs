using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using PersistentEts.Persistence.IO;
using PersistentEts.Tables;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Writes objects into a buffer one after another, after each object stopping once the buffer holds at
/// least <paramref name="stopAtBytes"/> bytes; returns how many objects it wrote.
/// </summary>
internal delegate int WriteObjects<TObject>(PooledBufferWriter buffer, ReadOnlySpan<TObject> objects, int stopAtBytes);

/// <summary>
/// A save's encoding, on every core. Worker threads read the table's capture and encode it into blocks in
/// parallel; the calling thread writes the blocks. A hashed table's capture comes in parts (stripes) that
/// workers read and encode on their own, in any order, since a key lives in exactly one part and the file
/// keeps no order between keys. An ordered table's comes as one sequence in key order: workers take
/// numbered chunks of it one at a time, encode them in parallel, and the writer writes them in number
/// order, so the file is in key order as one thread would write it.
/// </summary>
/// <remarks>
/// Workers run in the scheduler's idle class (<see cref="BackgroundThreadPriority"/>), so they take only
/// cores the application leaves idle. When every core is busy they may get none for long: if the writer has
/// waited <see cref="StarvedAfter"/> for its next chunk, it encodes parts or chunks itself, at its own
/// priority, for as long as no worker publishes one, and the save goes on at the pace of one ordinary
/// thread. An ordered save may still wait for the chunks starved workers hold (two per worker at most).
/// Encoded chunks cycle through a fixed pool (<see cref="_free"/>), which bounds what a save adds to memory
/// to a few blocks per worker (plus, for a hashed table, one part's object references per worker) whatever
/// the table's size. In key order a worker takes its chunk from the pool before it takes the next number,
/// so the chunk the writer waits for is always being encoded, never waiting for room.
/// </remarks>
internal sealed class BlockEncoder<TObject> : IDisposable
{
    /// <summary>
    /// Objects of an ordered capture per chunk: enough to make the hand-over between threads rare, few
    /// enough to spread the work (a million objects make some sixty chunks). Measured on a million rows of
    /// ~110 encoded bytes, three alternating runs of 15 saves each: a save's processor time was 0.18–0.20 s
    /// with 4,096 objects per chunk, 0.16–0.18 s with 8,192 and 0.15–0.18 s with 16,384.
    /// </summary>
    private const int ChunkObjects = 16_384;

    /// <summary>
    /// How long the writer waits for a chunk before it takes workers to be starved of processor time and
    /// encodes itself. A worker publishes a chunk every millisecond or two while it runs; this is well above
    /// that, and above most collector pauses, which stop workers and writer alike.
    /// </summary>
    private static readonly TimeSpan StarvedAfter = TimeSpan.FromMilliseconds(50);

    /// <summary>One encoded chunk: its blocks, (start, length, object count) in <see cref="Buffer"/>.</summary>
    public sealed class EncodedChunk
    {
        internal ObjectRun<TObject>? Objects;
        internal long Sequence;

        public PooledBufferWriter Buffer { get; } = new(SnapshotFormat.TargetBlockBytes + (64 << 10));

        public List<(int Start, int Length, int Count)> Blocks { get; } = [];
    }

    private readonly ISnapshotView<TObject> _view;
    private readonly WriteObjects<TObject> _write;
    // Held around every call of _write when it may not run on two threads at once: the writer may encode
    // beside a starved worker (see StarvedAfter), even when there is only one.
    private readonly object? _oneWriteAtATime;
    private readonly BlockingCollection<EncodedChunk> _free;
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task[] _workers;

    // Hashed capture: the last part handed out.
    private readonly int _parts;
    private int _lastPartTaken = -1;

    // Ordered capture: read only under _sourceLock, so chunks take consecutive runs of it.
    private readonly object _sourceLock = new();
    private long _nextSequence; // under _sourceLock
    private bool _sourceDone; // under _sourceLock

    // Encoded chunks not yet handed to the writer, by number; with the fields below, under _encodedLock.
    // A hashed capture's chunks are numbered as they arrive here (_published).
    private readonly Dictionary<long, EncodedChunk> _encoded = [];
    private readonly object _encodedLock = new();
    private long _published;
    // Chunks the workers (not the writer) have published: the writer stops encoding once it moves.
    private long _publishedByWorkers;
    private long _nextToWrite;
    private int _workersRunning;
    private ExceptionDispatchInfo? _failure;

    // Released once per chunk published and once per worker that ends: the writer waits on it (blocking or
    // awaiting) and then looks again under _encodedLock.
    private readonly SemaphoreSlim _chunkReady = new(0);

    // The writer's own: set when it waited StarvedAfter for a chunk, cleared once a worker publishes again.
    private bool _writerEncodes;
    // The writer's own: what it reads a hashed capture's part into when it encodes.
    private ObjectRun<TObject>? _writerRun;

    /// <param name="view">The capture to encode.</param>
    /// <param name="write">Encodes objects; its exceptions end the save.</param>
    /// <param name="workers">Encoding threads.</param>
    /// <param name="writeIsThreadSafe">Whether <paramref name="write"/> may run on several threads at once; when not, its calls take turns.</param>
    public BlockEncoder(ISnapshotView<TObject> view, WriteObjects<TObject> write, int workers, bool writeIsThreadSafe)
    {
        _view = view;
        _write = write;
        _oneWriteAtATime = writeIsThreadSafe ? null : new object();
        _parts = view.Parts;
        // Two chunks per worker: one being encoded while the writer writes the other.
        _free = new BlockingCollection<EncodedChunk>(2 * workers);
        for (var i = 0; i < 2 * workers; i++) _free.Add(new EncodedChunk());
        _workersRunning = workers;
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++)
            _workers[i] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The encoding threads a save uses by default: one per core, at most four (beyond that the disk bounds a save).</summary>
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount, 1, 4);

    private void Work()
    {
        try
        {
            // Inside the try: whatever happens here must end this worker through the finally below, or
            // the writer would wait for it forever.
            BackgroundThreadPriority.LowerCurrentThread();
            if (_parts > 0) EncodeParts();
            else EncodeSequence();
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Stopped by Dispose, or by another worker's failure, which is the one reported.
        }
        catch (Exception e)
        {
            lock (_encodedLock) _failure ??= ExceptionDispatchInfo.Capture(e);
            _cancel.Cancel();
        }
        finally
        {
            lock (_encodedLock) _workersRunning--;
            _chunkReady.Release();
        }
    }

    private void EncodeParts()
    {
        using var run = new ObjectRun<TObject>(1024);
        // The chunk this worker is filling: parts are appended to it until it holds a block's worth, so a
        // small table is a few blocks, not one per part.
        EncodedChunk? open = null;
        var inOpen = 0;
        for (var part = Interlocked.Increment(ref _lastPartTaken); part < _parts; part = Interlocked.Increment(ref _lastPartTaken))
        {
            run.Clear();
            _view.ReadPart(part, run);
            EncodeRun(run.AsSpan(), ref open, ref inOpen);
        }
        if (open is null) return;
        if (inOpen == 0)
        {
            _free.Add(open);
            return;
        }
        open.Blocks.Add((0, open.Buffer.WrittenCount, inOpen));
        Publish(open, numbered: false);
    }

    /// <summary>Appends objects to the worker's open chunk, publishing it (in any order) each time it holds a block's worth.</summary>
    private void EncodeRun(ReadOnlySpan<TObject> objects, ref EncodedChunk? open, ref int inOpen)
    {
        for (var i = 0; i < objects.Length;)
        {
            if (open is null)
            {
                open = _free.Take(_cancel.Token);
                open.Buffer.ResetWrittenCount();
                open.Blocks.Clear();
                inOpen = 0;
            }
            var written = Write(open.Buffer, objects[i..], SnapshotFormat.TargetBlockBytes);
            i += written;
            inOpen += written;
            if (open.Buffer.WrittenCount < SnapshotFormat.TargetBlockBytes) continue;
            open.Blocks.Add((0, open.Buffer.WrittenCount, inOpen));
            Publish(open, numbered: false);
            open = null;
        }
    }

    private void EncodeSequence()
    {
        while (true)
        {
            var chunk = _free.Take(_cancel.Token);
            if (!TakeFromSource(chunk))
            {
                _free.Add(chunk);
                return;
            }
            Encode(chunk);
            Publish(chunk, numbered: true);
        }
    }

    private void Publish(EncodedChunk chunk, bool numbered, bool byWorker = true)
    {
        lock (_encodedLock)
        {
            if (!numbered) chunk.Sequence = _published++;
            _encoded.Add(chunk.Sequence, chunk);
            if (byWorker) _publishedByWorkers++;
        }
        _chunkReady.Release();
    }

    /// <summary>Fills a chunk with the next objects of an ordered capture and numbers it; false once it has no more.</summary>
    private bool TakeFromSource(EncodedChunk chunk)
    {
        var objects = chunk.Objects ??= new ObjectRun<TObject>(ChunkObjects);
        lock (_sourceLock)
        {
            if (_sourceDone) return false;
            chunk.Sequence = _nextSequence++;
            while (objects.Count < ChunkObjects)
            {
                if (_view.ReadNext(objects)) continue;
                _sourceDone = true;
                break;
            }
            // Numbered even when empty, so that the writer never waits for a number nobody holds.
            return true;
        }
    }

    private void Encode(EncodedChunk chunk)
    {
        EncodeAll(chunk, chunk.Objects!.AsSpan());
        // The chunk's objects are encoded: the table's objects must not be kept alive by the pool.
        chunk.Objects!.Clear();
    }

    private int Write(PooledBufferWriter buffer, ReadOnlySpan<TObject> objects, int stopAtBytes)
    {
        if (_oneWriteAtATime is null) return _write(buffer, objects, stopAtBytes);
        lock (_oneWriteAtATime) return _write(buffer, objects, stopAtBytes);
    }

    /// <summary>Encodes <paramref name="objects"/> into the chunk, from its start, as blocks of about the target size.</summary>
    private void EncodeAll(EncodedChunk chunk, ReadOnlySpan<TObject> objects)
    {
        var buffer = chunk.Buffer;
        buffer.ResetWrittenCount();
        chunk.Blocks.Clear();
        var blockStart = 0;
        var inBlock = 0;
        for (var i = 0; i < objects.Length;)
        {
            var written = Write(buffer, objects[i..], blockStart + SnapshotFormat.TargetBlockBytes);
            i += written;
            inBlock += written;
            if (buffer.WrittenCount - blockStart < SnapshotFormat.TargetBlockBytes && i < objects.Length) continue;
            chunk.Blocks.Add((blockStart, buffer.WrittenCount - blockStart, inBlock));
            blockStart = buffer.WrittenCount;
            inBlock = 0;
        }
    }

    /// <summary>
    /// The next encoded chunk in the order to write them, or null once there are no more; give each back
    /// with <see cref="Return"/> once written. With <paramref name="async"/> the wait frees the thread;
    /// without it the call blocks and completes synchronously.
    /// </summary>
    public async ValueTask<EncodedChunk?> NextAsync(bool async, CancellationToken cancellationToken)
    {
        while (true)
        {
            long byWorkers;
            lock (_encodedLock)
            {
                _failure?.Throw();
                if (_encoded.Remove(_nextToWrite, out var chunk))
                {
                    _nextToWrite++;
                    return chunk;
                }
                if (_workersRunning == 0) return null;
                byWorkers = _publishedByWorkers;
            }
            if (_writerEncodes)
            {
                if (EncodeOnWritersThread())
                {
                    // Workers that published meanwhile run again: leave the encoding to them.
                    lock (_encodedLock) _writerEncodes = _publishedByWorkers == byWorkers;
                    continue;
                }
                // Nothing left to take, or no free chunk: wait for what the workers hold.
                _writerEncodes = false;
            }
            // Every publish and every worker's end releases once, so a wait never misses the event it waits for.
            var signalled = async
                ? await _chunkReady.WaitAsync(StarvedAfter, cancellationToken).ConfigureAwait(false)
                : _chunkReady.Wait(StarvedAfter, cancellationToken);
            if (!signalled) _writerEncodes = true;
        }
    }

    /// <summary>
    /// Encodes one part (hashed capture) or chunk (ordered capture) on the writer's thread and publishes it;
    /// false when there is nothing left to take or no free chunk to encode into.
    /// </summary>
    private bool EncodeOnWritersThread()
    {
        if (!_free.TryTake(out var chunk)) return false;
        try
        {
            if (_parts > 0)
            {
                var part = Interlocked.Increment(ref _lastPartTaken);
                if (part >= _parts)
                {
                    _free.Add(chunk);
                    return false;
                }
                var objects = _writerRun ??= new ObjectRun<TObject>(1024);
                objects.Clear();
                _view.ReadPart(part, objects);
                EncodeAll(chunk, objects.AsSpan());
                objects.Clear();
                Publish(chunk, numbered: false, byWorker: false);
                return true;
            }
            if (!TakeFromSource(chunk))
            {
                _free.Add(chunk);
                return false;
            }
            Encode(chunk);
            Publish(chunk, numbered: true, byWorker: false);
            return true;
        }
        catch
        {
            // The save fails with this; the chunk goes back so that Dispose releases its buffer.
            _cancel.Cancel();
            _free.Add(chunk);
            throw;
        }
    }

    public void Return(EncodedChunk chunk) => _free.Add(chunk);

    /// <summary>Waits for the workers; rethrows what they failed with.</summary>
    public async ValueTask CompleteAsync(bool async)
    {
        if (async) await Task.WhenAll(_workers).ConfigureAwait(false);
        else Task.WaitAll(_workers);
        _failure?.Throw();
    }

    public void Dispose()
    {
        // On a failed write, stop the workers and wait for them, so the capture they read is not ended under them.
        _cancel.Cancel();
        Task.WaitAll(_workers);
        // Every chunk is back in the pool now: the workers have stopped and the writer returned its last.
        while (_free.TryTake(out var chunk))
        {
            chunk.Buffer.Dispose();
            chunk.Objects?.Dispose();
        }
        _writerRun?.Dispose();
        _free.Dispose();
        _cancel.Dispose();
        _chunkReady.Dispose();
    }
}
