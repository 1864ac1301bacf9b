using PersistentEts.Persistence;
using PersistentEts.Persistence.Format;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// Where a run of objects stops: after the object during which the block reached its stop, never later,
/// so a block is at most its stop plus one object (what lets any object up to 1 GiB − 1 MiB be saved).
/// The default codec commits its writer only when its memory runs out, so this is what the buffer's mark
/// must give.
/// </summary>
public sealed class ObjectWritingTests
{
    public sealed record Blob(int Id, byte[] Data);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ARun_StopsAfterTheObjectThatReachedTheStop_WhateverTheObjectsSizes(int seed)
    {
        var random = new Random(seed);
        // Mostly small objects, some larger than the whole stop.
        var objects = Enumerable.Range(0, 3_000)
            .Select(i => new Blob(i, new byte[random.Next(10) == 0 ? random.Next(5_000, 70_000) : random.Next(0, 300)]))
            .ToArray();
        var sizes = objects.Select(o => MessagePack.MessagePackSerializer.Serialize(o, DefaultCodecOptions.Options).Length).ToArray();
        var write = ObjectWriting.For(MessagePackObjectCodec<Blob>.Instance);
        using var buffer = new PooledBufferWriter(1 << 10);
        const int stop = 20_000;
        for (var from = 0; from < objects.Length;)
        {
            buffer.ResetWrittenCount();
            var written = write(buffer, objects.AsSpan(from), stop);
            Assert.InRange(written, 1, objects.Length - from);
            var total = sizes.AsSpan(from, written).ToArray().Sum();
            Assert.Equal(total, buffer.WrittenCount);
            // Every object but the last was written wholly before the stop.
            Assert.True(total - sizes[from + written - 1] <= stop, $"objects before the last took {total - sizes[from + written - 1]} bytes");
            // A run that left objects over reached the stop, give or take what the writer asked for and did
            // not use (a header's largest form).
            if (from + written < objects.Length) Assert.True(total > stop - 16, $"a run stopped at {total} bytes");
            from += written;
        }
    }
}
