using System.Diagnostics;
using PersistentEts.Persistence;

namespace PersistentEts.Bench;

internal static partial class WholeProcess
{
    private const int LogWriters = 8;
    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Write-ahead log throughput with 8 concurrent writers, per sync policy, against one fsync per
    /// operation on the same disk: the figure group commit is measured against.
    /// </summary>
    private static void LogFigures(TableType type, List<(string, string)> figures)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pets-bench-log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var always = LoggedWriters(type, Path.Combine(dir, "always.pets"), LogSync.Always);
            var interval = LoggedWriters(type, Path.Combine(dir, "interval.pets"), LogSync.Interval);
            var fsyncs = FsyncPerSecond(Path.Combine(dir, "fsync.bin"));
            figures.Add(("wal_always_ops_s", Ops(always)));
            figures.Add(("wal_interval_ops_s", Ops(interval)));
            figures.Add(("fsync_per_s", Ops(fsyncs)));
            figures.Add(("wal_always_vs_fsync", F(always / fsyncs)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double LoggedWriters(TableType type, string path, LogSync sync)
    {
        var options = new PersistentTableOptions
        {
            Table = new TableOptions { Type = type, Protection = TableProtection.Public },
            PersistEvery = TimeSpan.FromHours(1),
            Durability = DurabilityMode.Log,
            LogSync = sync,
        };
        using var table = PersistentTable.New("log", path, (Row r) => r.Id, options);
        long ops = 0;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, LogWriters).Select(t => new Thread(() =>
        {
            var row = Row.Make(t);
            long mine = 0;
            for (var i = t; clock.Elapsed < LogWindow; i += LogWriters, mine++) table.Insert(row with { Id = i });
            Interlocked.Add(ref ops, mine);
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        return ops / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The disk's rate of small synced writes: one 100-byte append and one fsync per operation.</summary>
    private static double FsyncPerSecond(string path)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var record = new byte[100];
        long n = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < LogWindow)
        {
            fs.Write(record);
            fs.Flush(flushToDisk: true);
            n++;
        }
        return n / clock.Elapsed.TotalSeconds;
    }
}
