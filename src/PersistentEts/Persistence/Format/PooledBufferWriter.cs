using System.Buffers;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool. A save's block buffers are
/// a megabyte each, which the runtime allocates on the large object heap; allocating them anew for every
/// save made each save bring the next full garbage collection closer, a cost paid by the whole process.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    // Rented from ArrayPool<byte>.Shared, null once disposed; bytes [0, WrittenCount) are the written ones.
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    /// <summary>Bytes written since the last <see cref="ResetWrittenCount"/>.</summary>
    public int WrittenCount { get; private set; }

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, WrittenCount);

    /// <summary>The bytes written so far, for asynchronous writes (valid until the next write or reset).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => Buffer.AsMemory(0, WrittenCount);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    /// <summary>Forgets what was written; the buffer is kept.</summary>
    public void ResetWrittenCount() => WrittenCount = 0;

    public void Advance(int count)
    {
        if (count < 0 || WrittenCount + count > Buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsSpan(WrittenCount);
    }

    private void Ensure(int sizeHint)
    {
        var needed = WrittenCount + Math.Max(sizeHint, 1);
        var buffer = Buffer;
        if (needed <= buffer.Length) return;
        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * buffer.Length)));
        buffer.AsSpan(0, WrittenCount).CopyTo(grown);
        _buffer = grown;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } b) ArrayPool<byte>.Shared.Return(b);
    }
}
