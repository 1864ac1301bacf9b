using PersistentEts.Persistence;

namespace PersistentEts.Tests.Misuse;

/// <summary>What cannot be kept is refused when the table opens or the object arrives, before anything changes.</summary>
[Collection(nameof(MisuseCollection))]
public sealed class DoorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly PersistentTableOptions Options = new() { PersistEvery = TimeSpan.FromHours(1) };

    [Fact]
    public void ADirectoryAsThePath_IsRefusedAtOpen()
    {
        var e = Assert.Throws<SnapshotFileException>(() => PersistentTable.New("d", _dir.Path, (Row r) => r.Id, Options));
        Assert.Equal(_dir.Path, e.FilePath);
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public void AFileNameWithNoRoomForItsSiblings_IsRefusedAtOpen_AndTheLongestAllowedOneWorks()
    {
        var tooLong = _dir.File(new string('n', TableFiles.MaxSnapshotNameBytes + 1));
        var e = Assert.Throws<SnapshotFileException>(() => PersistentTable.New("long", tooLong, (Row r) => r.Id, Options));
        Assert.Contains($"at most {TableFiles.MaxSnapshotNameBytes}", e.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path));

        // The longest name that is allowed really saves: snapshot, history, log, lock and temporary files.
        var longest = _dir.File(new string('n', TableFiles.MaxSnapshotNameBytes));
        var options = Options with { Durability = DurabilityMode.Log, Write = new SnapshotWriteOptions { KeepPrevious = 100 } };
        using (var t = PersistentTable.New("long", longest, (Row r) => r.Id, options))
        {
            for (var i = 0; i < 3; i++)
            {
                t.Insert(new Row(i, "x"));
                t.Persistence!.Flush();
            }
            t.Insert(new Row(9, "logged only"));
        }
        using var back = PersistentTable.New("long", longest, (Row r) => r.Id, options);
        Assert.Equal(4, back.Count);
    }

    [Fact]
    public void ATableNameLongerThanAnAtom_IsRefused()
    {
        var e = Assert.Throws<EtsArgumentException>(() => PersistentTable.New(new string('t', 256), _dir.File("n.pets"), (Row r) => r.Id, Options));
        Assert.Contains("at most 255 characters", e.Message);
        Assert.Throws<EtsArgumentException>(() => Ets.New(new string('t', 1_000_000), (Row r) => r.Id));
        using var ok = PersistentTable.New(new string('t', 255), _dir.File("n.pets"), (Row r) => r.Id, Options);
        ok.Insert(new Row(1, "a"));
        Assert.NotNull(ok.Persistence!.Flush());
    }

    [Theory]
    [InlineData(DurabilityMode.Snapshot)]
    [InlineData(DurabilityMode.Log)]
    public void A100MegabyteObject_IsSaved_AndLoads(DurabilityMode durability)
    {
        var path = _dir.File("big.pets");
        var options = Options with { Durability = durability };
        var big = new Row(1, new string('b', 100 << 20));
        using (var t = PersistentTable.New("big", path, (Row r) => r.Id, options))
        {
            t.Insert(Enumerable.Range(2, 1000).Select(i => new Row(i, "small")));
            t.Insert(big);
            Assert.NotNull(t.Persistence!.Flush());
            t.Insert(new Row(5000, "after"));
        }
        using var back = PersistentTable.New("big", path, (Row r) => r.Id, options);
        Assert.Equal(1002, back.Count);
        Assert.Equal(big, back.Lookup(1)[0]);
    }

    [SmallFileSystemFact]
    public void AReadOnlyDirectory_IsRefusedAtOpen_NamingIt()
    {
        using var readOnly = new SmallFileSystem(1, readOnly: true);
        var path = readOnly.File("t.pets");
        var e = Assert.Throws<SnapshotFileException>(() => PersistentTable.New("ro", path, (Row r) => r.Id, Options));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(".lock", e.Message);
        Assert.DoesNotContain(Ets.All(), i => i.Name == "ro");
    }
}
