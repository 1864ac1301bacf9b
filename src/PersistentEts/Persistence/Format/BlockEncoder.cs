using System.Buffers;
using System.Collections.Concurrent;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// A save's pipeline: one thread reads the objects (the table's capture) into chunks, another encodes them
/// into blocks, and the calling thread writes the blocks, so reading, encoding and disk writes overlap.
/// Chunks and blocks cycle through small bounded queues, which bound the memory a save adds to a few
/// blocks whatever the table's size.
/// </summary>
internal sealed class BlockEncoder<TObject> : IDisposable
{
    private const int Buffers = 4;

    /// <summary>Objects per chunk handed from the reading thread to the encoding one.</summary>
    private const int ChunkObjects = 1024;

    private readonly BlockingCollection<List<TObject>> _chunks = new(Buffers);
    private readonly BlockingCollection<EncodedBlock> _full = new(Buffers);
    private readonly BlockingCollection<ArrayBufferWriter<byte>> _free = new(Buffers);
    private readonly CancellationTokenSource _cancel = new();
    // Stops the reading thread alone when encoding failed, so the writer still gets the encoder's own error.
    private readonly CancellationTokenSource _stopReading;
    private readonly Task _reader;
    private readonly Task _producer;

    public sealed record EncodedBlock(ArrayBufferWriter<byte> Buffer, int Count);

    public BlockEncoder(IEnumerable<TObject> objects, Action<IBufferWriter<byte>, TObject> encode)
    {
        for (var i = 0; i < Buffers; i++) _free.Add(new ArrayBufferWriter<byte>(SnapshotFormat.TargetBlockBytes + (64 << 10)));
        _stopReading = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
        _reader = Task.Factory.StartNew(() => Read(objects), _stopReading.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _producer = Task.Factory.StartNew(() => Produce(encode), _cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Read(IEnumerable<TObject> objects)
    {
        try
        {
            var chunk = new List<TObject>(ChunkObjects);
            foreach (var o in objects)
            {
                chunk.Add(o);
                if (chunk.Count < ChunkObjects) continue;
                _chunks.Add(chunk, _stopReading.Token);
                chunk = new List<TObject>(ChunkObjects);
            }
            if (chunk.Count > 0) _chunks.Add(chunk, _stopReading.Token);
        }
        finally
        {
            _chunks.CompleteAdding();
        }
    }

    private void Produce(Action<IBufferWriter<byte>, TObject> encode)
    {
        try
        {
            var buffer = _free.Take(_cancel.Token);
            var count = 0;
            foreach (var o in _chunks.GetConsumingEnumerable(_cancel.Token).SelectMany(c => c))
            {
                encode(buffer, o);
                if (++count < int.MaxValue && buffer.WrittenCount < SnapshotFormat.TargetBlockBytes) continue;
                _full.Add(new EncodedBlock(buffer, count), _cancel.Token);
                buffer = _free.Take(_cancel.Token);
                count = 0;
            }
            if (count > 0) _full.Add(new EncodedBlock(buffer, count), _cancel.Token);
        }
        catch
        {
            // The reading thread may be waiting for room in the chunk queue: release it.
            _stopReading.Cancel();
            throw;
        }
        finally
        {
            _full.CompleteAdding();
        }
    }

    /// <summary>The encoded blocks in order; give each back with <see cref="Return"/> once written.</summary>
    public IEnumerable<EncodedBlock> Blocks() => _full.GetConsumingEnumerable(_cancel.Token);

    public void Return(EncodedBlock block)
    {
        block.Buffer.ResetWrittenCount();
        _free.Add(block.Buffer);
    }

    /// <summary>Waits for both threads; rethrows what they failed with (the encoder's failure first: it stops the reader).</summary>
    public void Complete()
    {
        _producer.GetAwaiter().GetResult();
        _reader.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        // On a failed write, stop the encoder and wait for it, so the capture it reads is not ended under it.
        _cancel.Cancel();
        try
        {
            Task.WaitAll(_producer, _reader);
        }
        catch (AggregateException)
        {
            // Their failure (or cancellation) is already being reported by the caller.
        }
        _chunks.Dispose();
        _stopReading.Dispose();
        _full.Dispose();
        _free.Dispose();
        _cancel.Dispose();
    }
}
