using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>Damaged, truncated and foreign files: every one refused with a typed error, never loaded in part.</summary>
public sealed class BadFileTests : IDisposable
{
    public sealed record Row(int Id, string Name, long Count);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private byte[] GoodFile(bool compress)
    {
        var path = _dir.File($"good-{compress}.pets");
        using var t = Ets.New("bad", (Row r) => r.Id);
        // Enough objects for several blocks.
        t.Insert(Enumerable.Range(0, 60_000).Select(i => new Row(i, "name-" + i, i * 7L)));
        Snapshot.Save(t, path, new SnapshotWriteOptions { Compress = compress });
        return File.ReadAllBytes(path);
    }

    /// <summary>Loads a damaged copy; returns the typed error, fails the test on anything else or on success.</summary>
    private SnapshotFileException Refused(byte[] bytes, string what)
    {
        var path = _dir.File("damaged.pets");
        File.WriteAllBytes(path, bytes);
        try
        {
            using var t = Snapshot.Load(path, (Row r) => r.Id);
        }
        catch (SnapshotFileException e)
        {
            Assert.Contains(path, e.Message);
            return e;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: untyped {e.GetType().Name}: {e.Message}");
        }
        Assert.Fail($"{what}: the damaged file was loaded");
        return null!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncation_At100RandomOffsets_IsAlwaysRefused(bool compress)
    {
        var good = GoodFile(compress);
        var random = new Random(1234);
        for (var i = 0; i < 100; i++)
        {
            var length = random.Next(0, good.Length);
            Refused(good[..length], $"truncated to {length} of {good.Length}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BitFlips_1000Seeded_AreAlwaysRefused(bool compress)
    {
        var good = GoodFile(compress);
        var random = new Random(compress ? 99 : 42);
        for (var i = 0; i < 1_000; i++)
        {
            var copy = (byte[])good.Clone();
            var at = random.Next(copy.Length);
            copy[at] ^= (byte)(1 << random.Next(8));
            Refused(copy, $"bit flip at {at}");
        }
    }

    [Fact]
    public void ForeignFile_IsRefusedAsNotOurs()
    {
        var e = Refused("{\"this\": \"is json\"}"u8.ToArray(), "json");
        Assert.Contains("not a PersistentEts snapshot", e.Message);
        Assert.Contains("empty", Refused([], "empty").Message);
    }

    [Fact]
    public void NewerFormatVersion_IsRefusedAsNewer()
    {
        var bytes = GoodFile(false);
        bytes[8] = 99;
        var e = Refused(bytes, "version 99");
        Assert.Contains("newer", e.Message);
    }

    [Fact]
    public void LyingBlockLength_AllocatesNothingLikeIt()
    {
        var bytes = GoodFile(false);
        var headerLength = BitConverter.ToInt32(bytes, 12);
        var firstBlock = 16 + headerLength + 4;
        // Claim a block of ~2 GB stored bytes.
        BitConverter.GetBytes(int.MaxValue - 1).CopyTo(bytes, firstBlock + 9);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(bytes, "lying length");
        Assert.Contains("out of range", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 200L << 20);
    }

    [Fact]
    public void MissingFile_IsATypedError()
    {
        var e = Assert.Throws<SnapshotFileException>(() => Snapshot.Load(_dir.File("none.pets"), (Row r) => r.Id));
        Assert.Contains("does not exist", e.Message);
    }
}

/// <summary>A type the default codec cannot encode: the save fails with a typed error, the old file stays.</summary>
public sealed class UnencodableObjectTests : IDisposable
{
    public sealed record Holder(int Id, Func<int> Callback);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UnencodableObject_FailsTheSaveWithATypedError()
    {
        var path = _dir.File("u.pets");
        using var t = Ets.New("u", (Holder h) => h.Id);
        t.Insert(new Holder(1, () => 1));
        var e = Assert.Throws<SnapshotFileException>(() => PersistentEts.Persistence.Snapshot.Save(t, path));
        Assert.Contains("cannot be encoded", e.Message);
        Assert.False(File.Exists(path));
        // No temporary file is left; only the lock file that marks the table's files (kept, as RocksDB keeps LOCK).
        Assert.Equal([path + ".lock"], Directory.GetFiles(_dir.Path));
    }
}
