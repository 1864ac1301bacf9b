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
