using System.Diagnostics;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// The seed's README example: an owner in a child process creates the table, inserts, flushes, inserts
/// more, and is killed; a new table on the same path sees what was saved and nothing after.
/// </summary>
[Collection(nameof(Concurrency.ConcurrencyCollection))]
public sealed class KilledOwnerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Process StartChild(string path)
    {
        var child = Path.Combine(AppContext.BaseDirectory, "PersistentEts.ChildOwner.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(child);
        start.ArgumentList.Add(path);
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Sigterm_SavesTheTable_BeforeTheProcessEnds()
    {
        var path = _dir.File("term.pets");
        using var process = StartChild(path);
        Assert.Equal("ready", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        // A graceful end saves: the write made after the last flush is there too.
        using var table = PersistentTable.New("child", path, (KeyValuePair<string, int> kv) => kv.Key);
        Assert.Single(table.Lookup("saved"));
        Assert.Single(table.Lookup("unsaved"));
    }

    [Fact]
    public async Task KilledOwner_LeavesTheFlushedData()
    {
        var path = _dir.File("child.pets");
        var child = Path.Combine(AppContext.BaseDirectory, "PersistentEts.ChildOwner.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(child);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("ready", line);
        process.Kill(entireProcessTree: true); // SIGKILL: no exit handlers run
        await process.WaitForExitAsync();

        using var table = PersistentTable.New("child", path, (KeyValuePair<string, int> kv) => kv.Key);
        Assert.Equal([new KeyValuePair<string, int>("saved", 1)], table.Lookup("saved"));
        Assert.Empty(table.Lookup("unsaved"));
    }
}
