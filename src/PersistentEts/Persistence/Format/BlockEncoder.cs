using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using PersistentEts.Persistence.IO;
using PersistentEts.Storage;
using PersistentEts.Tables;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Writes objects into a buffer one after another, after each object stopping once the buffer holds at
/// least <paramref name="stopAtBytes"/> bytes; returns how many objects it wrote.
/// </summary>
internal delegate int WriteObjects<TObject>(PooledBufferWriter buffer, ReadOnlySpan<TObject> objects, int stopAtBytes);

/// <summary>
/// A save's encoding, on every core. The thread that saves reads the table's capture into numbered chunks
/// of objects and hands them to worker threads. They encode them into blocks in parallel, and store each
/// block as the file holds it (see <see cref="StoredBlock"/>). The saving thread writes the chunks in number
/// order: the file holds the objects in the order they were read, an ordered table's in key order, as one
/// thread would write them.
/// </summary>
/// <remarks>
/// Only the thread that saves reads the capture, so only it ever holds the table's locks. The workers run
/// at the lowest priority the platform offers (<see cref="BackgroundThreadPriority"/>): they take only the
/// cores the application leaves idle, and they may get none for long when every core is busy. A worker that
/// read the capture itself could be stopped that way while it held a lock the application's writers wait
/// for. Measured with two threads spinning on a two-core machine while saves of a million-row ordered_set
/// ran back to back: when the workers read the capture, one write waited 5.6 s and the writer made 68,000
/// writes a second; since only the saving thread reads it, the slowest write took 77–152 ms and the writer
/// made 760,000–843,000 a second. Workers therefore touch nothing but the objects handed to them.
/// And the save must not depend on them for its progress: when the saving thread has waited
/// <see cref="StarvedAfter"/> for its next chunk, it encodes chunks waiting for a worker itself, at its own
/// priority, for as long as no worker publishes one. A chunk a starved worker has already taken is still
/// waited for (one per worker at most).
/// Chunks cycle through a fixed pool (<see cref="_free"/>), which bounds what a save adds to memory to a
/// few chunks per worker, whatever the table's size.
/// </remarks>
internal sealed class BlockEncoder<TObject> : IDisposable
{
    /// <summary>
    /// Objects per chunk: enough to make the hand-over between threads rare, few enough to spread the work
    /// (a million objects make some sixty chunks). Measured on a million rows of ~110 encoded bytes, three
    /// alternating runs of 15 saves each: a save's processor time was 0.18–0.20 s with 4,096 objects per
    /// chunk, 0.16–0.18 s with 8,192 and 0.15–0.18 s with 16,384.
    /// </summary>
    private const int ChunkObjects = 16_384;

    /// <summary>
    /// How long the saving thread waits for a chunk before it takes the workers to be starved of processor
    /// time and encodes itself. A worker publishes a chunk every few milliseconds while it runs; this is well
    /// above that, and above most collector pauses, which stop workers and the saving thread alike.
    /// </summary>
    private static readonly TimeSpan StarvedAfter = TimeSpan.FromMilliseconds(50);

    /// <summary>One chunk: the objects read for it, then its blocks as the file stores them.</summary>
    public sealed class EncodedChunk(bool compress) : IDisposable
    {
        internal ObjectRun<TObject> Objects { get; } = new(ChunkObjects);

        internal long Sequence;

        /// <summary>The objects as encoded; without compression also the blocks' stored bytes.</summary>
        public PooledBufferWriter Buffer { get; } = new(SnapshotFormat.TargetBlockBytes + (64 << 10));

        /// <summary>With compression, the blocks' stored bytes; <see cref="Buffer"/> then holds one block at a time.</summary>
        public PooledBufferWriter? Compressed { get; } = compress ? new(SnapshotFormat.TargetBlockBytes) : null;

        /// <summary>The chunk's blocks, in order; read each one's bytes with <see cref="Stored"/>.</summary>
        public List<StoredBlock> Blocks { get; } = [];

        /// <summary>The bytes the file stores for <paramref name="block"/>, one of <see cref="Blocks"/> (valid until the chunk is encoded again).</summary>
        public ReadOnlyMemory<byte> Stored(StoredBlock block) => (Compressed ?? Buffer).WrittenMemory.Slice(block.Start, block.Length);

        public void Dispose()
        {
            Buffer.Dispose();
            Compressed?.Dispose();
            Objects.Dispose();
        }
    }

    private readonly ISnapshotView<TObject> _view;
    private readonly WriteObjects<TObject> _write;
    private readonly bool _checksums;
    // Held around every call of _write when it may not run on two threads at once: the saving thread may
    // encode beside a starved worker (see StarvedAfter), even when there is only one.
    private readonly object? _oneWriteAtATime;
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task[] _workers;

    // The saving thread's own: chunks neither read into nor handed out (returned here once written), the
    // next hashed part to read, whether the capture is read to its end, and the numbers of the next chunk
    // to hand out and to write.
    private readonly Stack<EncodedChunk> _free = new();
    private readonly int _parts;
    private int _nextPart;
    private bool _sourceDone;
    private long _nextToRead;
    private long _nextToWrite;
    // The saving thread's own: set when it waited StarvedAfter for a chunk, cleared once a worker publishes again.
    private bool _saverEncodes;

    // Chunks read and not yet taken by a worker (or by the saving thread, when the workers are starved).
    private readonly BlockingCollection<EncodedChunk> _toEncode = new(new ConcurrentQueue<EncodedChunk>());

    // Encoded chunks not yet written, by number; with the fields below, under _encodedLock.
    private readonly Dictionary<long, EncodedChunk> _encoded = [];
    private readonly object _encodedLock = new();
    private long _publishedByWorkers;
    private ExceptionDispatchInfo? _failure;

    // Released once per chunk published and once per worker that fails: the saving thread waits on it
    // (blocking or awaiting) and then looks again under _encodedLock.
    private readonly SemaphoreSlim _chunkReady = new(0);

    /// <param name="view">The capture to encode.</param>
    /// <param name="write">Encodes objects; its exceptions end the save.</param>
    /// <param name="workers">Encoding threads.</param>
    /// <param name="writeIsThreadSafe">Whether <paramref name="write"/> may run on several threads at once; when not, its calls take turns.</param>
    /// <param name="checksums">Whether blocks carry the checksum of their stored bytes.</param>
    /// <param name="compress">Whether blocks are stored LZ4-compressed.</param>
    public BlockEncoder(ISnapshotView<TObject> view, WriteObjects<TObject> write, int workers, bool writeIsThreadSafe, bool checksums, bool compress)
    {
        _view = view;
        _write = write;
        _checksums = checksums;
        _oneWriteAtATime = writeIsThreadSafe ? null : new object();
        _parts = view.Parts;
        // Two chunks per worker: one being encoded while the saving thread writes or reads the other.
        for (var i = 0; i < 2 * workers; i++) _free.Push(new EncodedChunk(compress));
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++)
            _workers[i] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The encoding threads a save uses by default: one per core, at most four (beyond that the disk bounds a save).</summary>
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount, 1, 4);

    private void Work()
    {
        // A chunk this worker took and has not published: on a failure nobody else can reach it, so its
        // pooled buffers go back here (Dispose frees only chunks in the pool and the queues).
        EncodedChunk? inHand = null;
        try
        {
            BackgroundThreadPriority.LowerCurrentThread();
            foreach (var chunk in _toEncode.GetConsumingEnumerable(_cancel.Token))
            {
                inHand = chunk;
                Encode(chunk);
                inHand = null;
                Publish(chunk, byWorker: true);
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Stopped by Dispose, or by a failure elsewhere, which is the one reported.
        }
        catch (Exception e)
        {
            lock (_encodedLock) _failure ??= ExceptionDispatchInfo.Capture(e);
            _cancel.Cancel();
            _chunkReady.Release();
        }
        finally
        {
            inHand?.Dispose();
        }
    }

    private void Publish(EncodedChunk chunk, bool byWorker)
    {
        lock (_encodedLock)
        {
            _encoded.Add(chunk.Sequence, chunk);
            if (byWorker) _publishedByWorkers++;
        }
        _chunkReady.Release();
    }

    /// <summary>Reads the capture into every free chunk and hands them to the workers, numbered in read order.</summary>
    private void ReadAhead()
    {
        while (!_sourceDone && _free.Count > 0)
        {
            var chunk = _free.Pop();
            var objects = chunk.Objects;
            while (objects.Count < ChunkObjects)
            {
                if (_parts > 0)
                {
                    if (_nextPart == _parts) break;
                    _view.ReadPart(_nextPart++, objects);
                }
                else if (!_view.ReadNext(objects))
                {
                    _sourceDone = true;
                    break;
                }
            }
            if (_parts > 0 && _nextPart == _parts) _sourceDone = true;
            if (objects.Count == 0)
            {
                _free.Push(chunk);
                continue;
            }
            chunk.Sequence = _nextToRead++;
            _toEncode.Add(chunk);
        }
        if (_sourceDone && !_toEncode.IsAddingCompleted) _toEncode.CompleteAdding();
    }

    /// <summary>
    /// Encodes a chunk's objects into blocks of about the target size, each stored (compressed, hashed) as
    /// soon as it is encoded, and lets the objects go.
    /// </summary>
    private void Encode(EncodedChunk chunk)
    {
        var buffer = chunk.Buffer;
        buffer.ResetWrittenCount();
        chunk.Compressed?.ResetWrittenCount();
        chunk.Blocks.Clear();
        var objects = chunk.Objects.AsSpan();
        var blockStart = 0;
        var inBlock = 0;
        for (var i = 0; i < objects.Length;)
        {
            var written = Write(buffer, objects[i..], blockStart + SnapshotFormat.TargetBlockBytes);
            i += written;
            inBlock += written;
            if (buffer.WrittenCount - blockStart < SnapshotFormat.TargetBlockBytes && i < objects.Length) continue;
            chunk.Blocks.Add(StoredBlock.Seal(buffer, blockStart, inBlock, chunk.Compressed, _checksums));
            // A compressed block's raw bytes are not needed once stored: the next block reuses them.
            if (chunk.Compressed is not null) buffer.ResetWrittenCount();
            blockStart = buffer.WrittenCount;
            inBlock = 0;
        }
        // The chunk's objects are encoded: the table's objects must not be kept alive by the pool.
        chunk.Objects.Clear();
    }

    private int Write(PooledBufferWriter buffer, ReadOnlySpan<TObject> objects, int stopAtBytes)
    {
        if (_oneWriteAtATime is null) return _write(buffer, objects, stopAtBytes);
        lock (_oneWriteAtATime) return _write(buffer, objects, stopAtBytes);
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
            ReadAhead();
            long byWorkers;
            lock (_encodedLock)
            {
                _failure?.Throw();
                if (_encoded.Remove(_nextToWrite, out var chunk))
                {
                    _nextToWrite++;
                    return chunk;
                }
                if (_sourceDone && _nextToWrite == _nextToRead) return null;
                byWorkers = _publishedByWorkers;
            }
            if (_saverEncodes)
            {
                if (_toEncode.TryTake(out var waiting))
                {
                    EncodeOnSavingThread(waiting);
                    // Workers that published meanwhile run again: leave the encoding to them.
                    lock (_encodedLock) _saverEncodes = _publishedByWorkers == byWorkers;
                    continue;
                }
                // Every chunk left is with a worker: wait for it.
                _saverEncodes = false;
            }
            // Every publish releases once, so a wait never misses the event it waits for.
            var signalled = async
                ? await _chunkReady.WaitAsync(StarvedAfter, cancellationToken).ConfigureAwait(false)
                : _chunkReady.Wait(StarvedAfter, cancellationToken);
            if (!signalled) _saverEncodes = true;
        }
    }

    private void EncodeOnSavingThread(EncodedChunk chunk)
    {
        try
        {
            Encode(chunk);
        }
        catch
        {
            // The save fails with this; the chunk goes back so that Dispose releases its buffer.
            chunk.Objects.Clear();
            _free.Push(chunk);
            throw;
        }
        Publish(chunk, byWorker: false);
    }

    public void Return(EncodedChunk chunk) => _free.Push(chunk);

    /// <summary>Waits for the workers; rethrows what they failed with.</summary>
    public async ValueTask CompleteAsync(bool async)
    {
        if (!_toEncode.IsAddingCompleted) _toEncode.CompleteAdding();
        if (async) await Task.WhenAll(_workers).ConfigureAwait(false);
        else Task.WaitAll(_workers);
        _failure?.Throw();
    }

    public void Dispose()
    {
        // On a failed write, stop the workers and wait for them, so the capture they were handed is not ended under them.
        _cancel.Cancel();
        if (!_toEncode.IsAddingCompleted) _toEncode.CompleteAdding();
        Task.WaitAll(_workers);
        // The workers have stopped: every chunk is free, waiting to be encoded, or encoded and not written.
        while (_free.TryPop(out var chunk)) chunk.Dispose();
        while (_toEncode.TryTake(out var chunk)) chunk.Dispose();
        lock (_encodedLock)
        {
            foreach (var chunk in _encoded.Values) chunk.Dispose();
            _encoded.Clear();
        }
        _toEncode.Dispose();
        _cancel.Dispose();
        _chunkReady.Dispose();
    }
}
