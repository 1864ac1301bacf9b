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

    // A mark in the written bytes (int.MaxValue: none) that a writer holding uncommitted bytes can be told it
    // passed without committing: memory is handed out up to the mark, and PassedMark is set once any is
    // handed out beyond it (see SetMark).
    private int _mark = int.MaxValue;

    /// <summary>True once memory beyond the mark set by <see cref="SetMark"/> was handed out.</summary>
    public bool PassedMark { get; private set; }

    /// <summary>
    /// Sets a mark at <paramref name="bytes"/> written: from now on <see cref="GetSpan"/> and
    /// <see cref="GetMemory"/> hand out memory only up to it, unless asked for more, and
    /// <see cref="PassedMark"/> turns true as soon as they hand out any beyond it. A writer that commits
    /// only when its memory runs out (MessagePack's) can so tell, after each object, whether the object
    /// reached past the mark, without committing after each object.
    /// </summary>
    public void SetMark(int bytes)
    {
        _mark = bytes;
        PassedMark = WrittenCount >= bytes;
    }

    /// <summary>Removes the mark: memory is handed out to the buffer's end again.</summary>
    public void ClearMark()
    {
        _mark = int.MaxValue;
        PassedMark = false;
    }

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, WrittenCount);

    /// <summary>The bytes written so far, for asynchronous writes (valid until the next write or reset).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => Buffer.AsMemory(0, WrittenCount);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    /// <summary>Forgets what was written and any mark; the buffer is kept.</summary>
    public void ResetWrittenCount()
    {
        WrittenCount = 0;
        ClearMark();
    }

    public void Advance(int count)
    {
        if (count < 0 || WrittenCount + count > Buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        // Handed first: it may grow the buffer, which must then be the one read here.
        var handed = Handed(sizeHint);
        return Buffer.AsMemory(WrittenCount, handed);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var handed = Handed(sizeHint);
        return Buffer.AsSpan(WrittenCount, handed);
    }

    /// <summary>Makes room for <paramref name="sizeHint"/> bytes and says how many to hand out: up to the mark, if any, unless more were asked for.</summary>
    private int Handed(int sizeHint)
    {
        Ensure(sizeHint);
        var available = Buffer.Length - WrittenCount;
        if (_mark == int.MaxValue) return available;
        var toMark = _mark - WrittenCount;
        if (Math.Max(sizeHint, 1) <= toMark) return Math.Min(available, toMark);
        // Asked for more than is left before the mark: all of it, and the mark is passed.
        PassedMark = true;
        return available;
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
