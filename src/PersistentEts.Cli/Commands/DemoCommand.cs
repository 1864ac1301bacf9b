using System.CommandLine;
using System.Diagnostics;
using PersistentEts.Persistence;

namespace PersistentEts.Cli.Commands;

/// <summary>
/// <c>pets demo DIR</c>: the seed's README example, live. An owner process creates a persistent table,
/// inserts, flushes, inserts more, and is killed with SIGKILL; the table is reopened and what was saved is
/// back. Then the same with a write-ahead log, where nothing is lost.
/// </summary>
internal static class DemoCommand
{
    private static readonly PersistentTableOptions SnapshotOnly = new() { PersistEvery = TimeSpan.FromHours(1) };
    private static readonly PersistentTableOptions WithLog = SnapshotOnly with { Durability = DurabilityMode.Log, LogSync = LogSync.Always };

    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "A directory for the demo's files (created if missing)" };
        var command = new Command("demo", "Show a table surviving the death of its owner process, step by step") { dir };
        command.SetAction(parse => Shared.Guard(() => Run(Path.GetFullPath(parse.GetValue(dir)!))));
        return command;
    }

    /// <summary>The owner process the demo starts and kills (not for direct use).</summary>
    public static Command CreateOwner()
    {
        var dir = new Argument<string>("dir");
        var mode = new Argument<string>("mode");
        var command = new Command("demo-owner", "(internal) the demo's owner process") { dir, mode };
        command.Hidden = true;
        command.SetAction(parse => Owner(parse.GetValue(dir)!, parse.GetValue(mode) == "log"));
        return command;
    }

    private static int Run(string dir)
    {
        Directory.CreateDirectory(dir);
        var seedLike = Part(dir, log: false, "1. As in the Elixir original: periodic snapshots only");
        Console.WriteLine();
        var logged = Part(dir, log: true, "2. With a write-ahead log (Durability = Log, LogSync = Always)");
        Console.WriteLine();
        var ok = seedLike == "a=1 b=2" && logged == "a=1 b=2 c=3";
        Console.WriteLine(ok
            ? "Done: the snapshot kept what was flushed; the log kept every acknowledged write."
            : "Unexpected result: see above.");
        return ok ? ExitCodes.Ok : ExitCodes.DemoFailed;
    }

    private static string Part(string dir, bool log, string title)
    {
        Console.WriteLine(title);
        var path = PathFor(dir, log);
        foreach (var old in Directory.GetFiles(dir, Path.GetFileName(path) + "*")) File.Delete(old);
        Console.WriteLine($"   parent: starting an owner process for table 'demo' at {path}");
        using var owner = StartOwner(dir, log);
        while (owner.StandardOutput.ReadLine() is { } line)
        {
            Console.WriteLine($"   owner : {line}");
            if (line == "waiting to be killed") break;
        }
        owner.Kill(); // SIGKILL: no chance to save anything more
        owner.WaitForExit();
        Console.WriteLine($"   parent: killed the owner (pid {owner.Id}) with SIGKILL");
        using var table = PersistentTable.New("demo", path, (KeyValuePair<string, int> kv) => kv.Key, log ? WithLog : SnapshotOnly);
        var found = string.Join(" ", table.ToList().OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));
        Console.WriteLine($"   parent: reopened '{path}': {found}");
        Console.WriteLine(log
            ? "   parent: c=3 was acknowledged after its log record was fsynced, so it is back too."
            : "   parent: c=3 was written after the last flush, so it is gone, as the seed documents.");
        return found;
    }

    private static string PathFor(string dir, bool log) => Path.Combine(dir, log ? "demo-log.pets" : "demo.pets");

    private static Process StartOwner(string dir, bool log)
    {
        var exe = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") start.ArgumentList.Add(typeof(DemoCommand).Assembly.Location);
        start.ArgumentList.Add("demo-owner");
        start.ArgumentList.Add(dir);
        start.ArgumentList.Add(log ? "log" : "snapshot");
        return Process.Start(start) ?? throw new IOException($"Cannot start '{exe}'.");
    }

    private static int Owner(string dir, bool log)
    {
        var table = PersistentTable.New("demo", PathFor(dir, log), (KeyValuePair<string, int> kv) => kv.Key, log ? WithLog : SnapshotOnly);
        table.Insert([new("a", 1), new("b", 2)]);
        Console.WriteLine("inserted a=1, b=2");
        table.Persistence!.Flush();
        Console.WriteLine("flushed (PersistentEts.flush/1): the snapshot holds a and b");
        table.Insert(new KeyValuePair<string, int>("c", 3));
        Console.WriteLine("inserted c=3 (no flush)");
        Console.WriteLine("waiting to be killed");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return ExitCodes.Ok;
    }
}
