using System.Diagnostics;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Misuse;

/// <summary>One owner per table file: a second opener is refused, however it spells the path.</summary>
[Collection(nameof(MisuseCollection))]
public sealed class OwnershipTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static PersistentTableOptions Options(DurabilityMode durability, bool named = false) => new()
    {
        PersistEvery = TimeSpan.FromHours(1),
        Durability = durability,
        Table = new TableOptions { NamedTable = named },
    };

    [Theory]
    [InlineData(DurabilityMode.Snapshot)]
    [InlineData(DurabilityMode.Log)]
    public void SecondOpen_InThisProcess_IsRefused_HoweverThePathIsSpelled(DurabilityMode durability)
    {
        var path = _dir.File("same.pets");
        Directory.CreateDirectory(_dir.File("sub"));
        File.CreateSymbolicLink(_dir.File("link.pets"), path);
        using var first = PersistentTable.New("first", path, (Row r) => r.Id, Options(durability, named: true));
        first.Insert(new Row(1, "kept"));
        foreach (var spelling in new[] { path, _dir.Path + "/./same.pets", _dir.File("sub") + "/../same.pets", _dir.File("link.pets") })
        {
            // Another name, unnamed or named: the file decides, not the table name.
            var e = Assert.Throws<TableFileInUseException>(() => PersistentTable.New("second", spelling, (Row r) => r.Id, Options(durability)));
            Assert.Equal(path, e.FilePath);
            Assert.Equal("first", e.HolderTable);
            Assert.Contains("table 'first' in this process", e.Message);
        }
        first.Dispose();
        using var again = PersistentTable.New("second", _dir.File("link.pets"), (Row r) => r.Id, Options(durability));
        Assert.Single(again.Lookup(1));
        Assert.True(File.Exists(path) && new FileInfo(_dir.File("link.pets")).LinkTarget is not null, "a save through the link must not replace the link");
    }

    [Fact]
    public async Task SecondOpen_FromAnotherProcess_IsRefused_NamingItsPid_AndTheKilledOwnerNeverBlocksTheNext()
    {
        var path = _dir.File("child.pets");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PersistentEts.ChildOwner.dll"));
        start.ArgumentList.Add(path);
        using var child = Process.Start(start)!;
        Assert.Equal("ready", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        var e = Assert.Throws<TableFileInUseException>(() =>
            PersistentTable.New("child", path, (KeyValuePair<string, int> kv) => kv.Key, new PersistentTableOptions()));
        Assert.Equal(child.Id, e.HolderProcessId);
        Assert.Contains($"process {child.Id}", e.Message);
        // Tools read without taking the lock (pets info, verify, dump).
        Assert.Equal(1, Snapshot.ReadInfo(path).ObjectCount);

        child.Kill(); // SIGKILL: the kernel drops the lock with the process
        await child.WaitForExitAsync();
        using var next = PersistentTable.New("child", path, (KeyValuePair<string, int> kv) => kv.Key, new PersistentTableOptions());
        Assert.Single(next.Lookup("saved"));
    }

    [Fact]
    public void Tab2File_OntoAFileATableOwns_IsRefused_AndTheFileIsUntouched()
    {
        var path = _dir.File("owned.pets");
        using var owner = PersistentTable.New("owner", path, (Row r) => r.Id, Options(DurabilityMode.Snapshot));
        owner.Insert(new Row(1, "owner's"));
        owner.Persistence!.Flush();
        var before = File.ReadAllBytes(path);
        using var other = Ets.New("other", (Row r) => r.Id);
        other.Insert(new Row(2, "other's"));
        var e = Assert.Throws<TableFileInUseException>(() => Snapshot.Save(other, path));
        Assert.Equal("owner", e.HolderTable);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix permissions; Windows files inherit ACLs
    public void FilesAreCreatedOwnerOnly_ByDefault_AndAsAskedOtherwise()
    {
        var path = _dir.File("modes.pets");
        using (var t = PersistentTable.New("modes", path, (Row r) => r.Id, Options(DurabilityMode.Log)))
        {
            t.Insert(new Row(1, "a"));
            t.Persistence!.Flush();
            t.Insert(new Row(2, "b"));
        }
        var files = Directory.GetFiles(_dir.Path);
        Assert.Contains(path, files);
        Assert.Contains(path + ".lock", files);
        Assert.Contains(files, f => f.EndsWith(".wal", StringComparison.Ordinal));
        foreach (var f in files) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));

        var shared = _dir.File("shared.pets");
        var groupRead = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        using (var t = PersistentTable.New("shared", shared, (Row r) => r.Id, Options(DurabilityMode.Snapshot) with { UnixCreateMode = groupRead }))
        {
            t.Insert(new Row(1, "a"));
        }
        Assert.Equal(groupRead, File.GetUnixFileMode(shared));
    }
}
