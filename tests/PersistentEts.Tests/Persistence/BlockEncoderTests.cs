using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using PersistentEts.Persistence.Format;
using PersistentEts.Storage;
using PersistentEts.Tables;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// A save's encoder reads the capture only on the thread that saves, since a capture is read under the
/// table's locks and the encoding threads run at the lowest priority (a low thread holding a lock the
/// application waits for stalls the application); and it writes the objects in the order it read them.
/// </summary>
public sealed class BlockEncoderTests
{
    private const int Objects = 100_000;

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task OnlyTheSavingThread_ReadsTheCapture_AndTheObjectsComeOutInTheOrderRead(bool hashed, bool compress)
    {
        // Without async the encoder's calls complete on the calling thread: every await below continues on it.
        var savingThread = Environment.CurrentManagedThreadId;
        var view = new RecordingView(hashed);
        var read = new List<int>();

        using (var encoder = new BlockEncoder<int>(view, WriteInts, 2, writeIsThreadSafe: true, checksums: true, compress))
        {
            while (await encoder.NextAsync(async: false, CancellationToken.None) is { } chunk)
            {
                foreach (var stored in chunk.Blocks)
                {
                    var block = Raw(chunk.Stored(stored).Span, stored, compress);
                    Assert.Equal(stored.Count * sizeof(int), block.Length);
                    for (var at = 0; at < block.Length; at += sizeof(int)) read.Add(BinaryPrimitives.ReadInt32LittleEndian(block[at..]));
                }
                encoder.Return(chunk);
            }
            await encoder.CompleteAsync(async: false);
        }

        Assert.Equal(Enumerable.Range(0, Objects), read);
        Assert.Equal([savingThread], view.ReaderThreads.Keys);
    }

    /// <summary>A block's encoded bytes from its stored ones, after checking the hash its head will carry.</summary>
    private static byte[] Raw(ReadOnlySpan<byte> stored, StoredBlock block, bool compressed)
    {
        Assert.Equal(XxHash3.HashToUInt64(stored), block.Hash);
        if (!compressed)
        {
            Assert.Equal(block.RawLength, stored.Length);
            return stored.ToArray();
        }
        var raw = new byte[block.RawLength];
        Assert.Equal(block.RawLength, LZ4Codec.Decode(stored, raw));
        return raw;
    }

    private static int WriteInts(PooledBufferWriter buffer, ReadOnlySpan<int> objects, int stopAtBytes)
    {
        var i = 0;
        while (i < objects.Length)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(sizeof(int)), objects[i++]);
            buffer.Advance(sizeof(int));
            if (buffer.WrittenCount >= stopAtBytes) break;
        }
        return i;
    }

    /// <summary>A capture of the numbers 0 to <see cref="Objects"/>, in parts or in order, recording which threads read it.</summary>
    private sealed class RecordingView(bool hashed) : ISnapshotView<int>
    {
        private const int PerRead = 1_000;
        private int _next;

        public ConcurrentDictionary<int, bool> ReaderThreads { get; } = new();

        public TimeSpan Pause => TimeSpan.Zero;

        public long AtInstant => 0;

        public long ChangeCount => 0;

        public int Parts => hashed ? Objects / PerRead : 0;

        public void ReadPart(int part, ObjectRun<int> into)
        {
            ReaderThreads.TryAdd(Environment.CurrentManagedThreadId, true);
            for (var i = part * PerRead; i < (part + 1) * PerRead; i++) into.Add(i);
        }

        public bool ReadNext(ObjectRun<int> into)
        {
            ReaderThreads.TryAdd(Environment.CurrentManagedThreadId, true);
            if (_next == Objects) return false;
            for (var end = _next + PerRead; _next < end; _next++) into.Add(_next);
            return true;
        }

        public void Dispose()
        {
        }
    }
}
