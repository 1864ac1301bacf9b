using System.Buffers;
using System.Collections.Concurrent;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Encodes objects into blocks on its own thread and hands them to the writing thread, so encoding and
/// disk writes overlap. Blocks cycle through a fixed pool of buffers, which bounds the memory a save adds
/// to a few blocks whatever the table's size.
/// </summary>
internal sealed class BlockEncoder<TObject> : IDisposable
{
    private const int Buffers = 4;

    private readonly BlockingCollection<EncodedBlock> _full = new(Buffers);
    private readonly BlockingCollection<ArrayBufferWriter<byte>> _free = new(Buffers);
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task _producer;

    public sealed record EncodedBlock(ArrayBufferWriter<byte> Buffer, int Count);

    public BlockEncoder(IEnumerable<TObject> objects, Action<IBufferWriter<byte>, TObject> encode)
    {
        for (var i = 0; i < Buffers; i++) _free.Add(new ArrayBufferWriter<byte>(SnapshotFormat.TargetBlockBytes + (64 << 10)));
        _producer = Task.Factory.StartNew(() => Produce(objects, encode), _cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Produce(IEnumerable<TObject> objects, Action<IBufferWriter<byte>, TObject> encode)
    {
        try
        {
            var buffer = _free.Take(_cancel.Token);
            var count = 0;
            foreach (var o in objects)
            {
                encode(buffer, o);
                if (++count < int.MaxValue && buffer.WrittenCount < SnapshotFormat.TargetBlockBytes) continue;
                _full.Add(new EncodedBlock(buffer, count), _cancel.Token);
                buffer = _free.Take(_cancel.Token);
                count = 0;
            }
            if (count > 0) _full.Add(new EncodedBlock(buffer, count), _cancel.Token);
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

    /// <summary>Waits for the encoding thread; rethrows what it failed with.</summary>
    public void Complete() => _producer.GetAwaiter().GetResult();

    public void Dispose()
    {
        // On a failed write, stop the encoder and wait for it, so the capture it reads is not ended under it.
        _cancel.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // Its failure (or cancellation) is already being reported by the caller.
        }
        _full.Dispose();
        _free.Dispose();
        _cancel.Dispose();
    }
}
