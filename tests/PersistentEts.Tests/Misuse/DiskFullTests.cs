using PersistentEts.Persistence;

namespace PersistentEts.Tests.Misuse;

/// <summary>
/// A disk that really fills (a small tmpfs): writes are refused with a typed error while it is full, nothing
/// acknowledged is lost, no leftovers stay, and once space returns the table goes on without a restart.
/// </summary>
[Collection(nameof(MisuseCollection))]
public sealed class DiskFullTests
{
    private static void FillWithBallast(SmallFileSystem disk, int megabytes)
    {
        using var ballast = File.Create(disk.File("ballast"));
        ballast.Write(new byte[megabytes << 20]);
    }

    [SmallFileSystemFact]
    public void LogMode_RefusesWritesWhileFull_ThenResumes_LosingNothingAcknowledged()
    {
        using var disk = new SmallFileSystem(8);
        FillWithBallast(disk, 5);
        var path = disk.File("t.pets");
        var options = new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), Durability = DurabilityMode.Log };
        var acknowledged = new List<int>();
        var t = PersistentTable.New("full", path, (Row r) => r.Id, options);
        LogWriteException? full = null;
        for (var i = 0; full is null; i++)
        {
            try
            {
                t.Insert(new Row(i, new string('r', 1000)));
                acknowledged.Add(i);
            }
            catch (LogWriteException e)
            {
                full = e;
            }
        }
        Assert.Contains("No space left", full.Message);
        var count = t.Count;
        Assert.Throws<LogWriteException>(() => t.Insert(new Row(-1, "refused while full")));
        Assert.Equal(count, t.Count);
        Assert.Throws<LogWriteException>(() => t.Persistence!.Flush()); // no room for a snapshot either
        Assert.Empty(Directory.GetFiles(disk.Path, "*.tmp"));

        File.Delete(disk.File("ballast")); // space comes back
        Assert.NotNull(t.Persistence!.Flush());
        t.Insert(new Row(-2, "after recovery"));
        t.Dispose();

        Assert.Empty(Directory.GetFiles(disk.Path, ".*.tmp"));
        Assert.DoesNotContain(Directory.GetFiles(disk.Path, "*.wal"), f => new FileInfo(f).Length == 0);
        using var back = PersistentTable.New("full", path, (Row r) => r.Id, options);
        Assert.All(acknowledged, k => Assert.True(back.Contains(k), $"acknowledged key {k} lost"));
        Assert.True(back.Contains(-2));
        Assert.False(back.Contains(-1));
    }

    [SmallFileSystemFact]
    public void SnapshotMode_FailedSavesLeaveTheLastGoodFile_DisposeSaysSo_AndTheNextSaveWorks()
    {
        using var disk = new SmallFileSystem(4);
        var path = disk.File("t.pets");
        var options = new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) };
        var t = PersistentTable.New("full", path, (Row r) => r.Id, options);
        t.Insert(Enumerable.Range(0, 500).Select(i => new Row(i, new string('s', 1000))));
        Assert.NotNull(t.Persistence!.Flush());
        var good = File.ReadAllBytes(path);
        FillWithBallast(disk, 3);
        t.Insert(Enumerable.Range(500, 1500).Select(i => new Row(i, new string('s', 1000))));

        var e = Assert.Throws<SnapshotFileException>(() => t.Persistence.Flush());
        Assert.Contains("No space left", e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(disk.Path, ".*.tmp"));
        Assert.Throws<SnapshotFileException>(t.Dispose); // never silent
        Assert.Equal(2000, t.Count);

        File.Delete(disk.File("ballast"));
        t.Dispose();
        using var back = PersistentTable.New("full", path, (Row r) => r.Id, options);
        Assert.Equal(2000, back.Count);
    }
}
