using System.Diagnostics;
using System.Diagnostics.Metrics;
using PersistentEts.Persistence;

namespace PersistentEts.Bench;

internal static partial class WholeProcess
{
    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Write-ahead log throughput with 8 and 32 concurrent writers, per sync policy, against one fsync per
    /// operation on the same disk: the figure group commit is measured against. Writes per fsync come from
    /// the log's own fsync counter (the <c>pets.log.fsyncs</c> instrument).
    /// </summary>
    private static void LogFigures(TableType type, List<(string, string)> figures)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pets-bench-log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var (always, perFsync8) = LoggedWriters(type, Path.Combine(dir, "always.pets"), LogSync.Always, 8);
            var (always32, perFsync32) = LoggedWriters(type, Path.Combine(dir, "always32.pets"), LogSync.Always, 32);
            var (interval, _) = LoggedWriters(type, Path.Combine(dir, "interval.pets"), LogSync.Interval, 8);
            var fsyncs = FsyncPerSecond(Path.Combine(dir, "fsync.bin"));
            figures.Add(("wal_always_ops_s", Ops(always)));
            figures.Add(("wal_always_ops_s_32", Ops(always32)));
            figures.Add(("wal_writes_per_fsync_8", F(perFsync8)));
            figures.Add(("wal_writes_per_fsync_32", F(perFsync32)));
            figures.Add(("wal_interval_ops_s", Ops(interval)));
            figures.Add(("fsync_per_s", Ops(fsyncs)));
            figures.Add(("wal_always_vs_fsync", F(always / fsyncs)));
            figures.Add(("wal_always_32_vs_fsync", F(always32 / fsyncs)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Operations per second of <paramref name="writers"/> threads inserting for the window, and how many writes each fsync covered.</summary>
    private static (double OpsPerSecond, double WritesPerFsync) LoggedWriters(TableType type, string path, LogSync sync, int writers)
    {
        var options = new PersistentTableOptions
        {
            Table = new TableOptions { Type = type, Protection = TableProtection.Public },
            PersistEvery = TimeSpan.FromHours(1),
            Durability = DurabilityMode.Log,
            LogSync = sync,
        };
        var name = Path.GetFileNameWithoutExtension(path);
        long fsyncs = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "pets.log.fsyncs") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "pets.table" && Equals(tag.Value, name)) Interlocked.Add(ref fsyncs, value);
            }
        });
        listener.Start();
        using var table = PersistentTable.New(name, path, (Row r) => r.Id, options);
        var fsyncsAtStart = Interlocked.Read(ref fsyncs);
        var (ops, seconds) = InsertFromThreads(table, writers);
        var synced = Interlocked.Read(ref fsyncs) - fsyncsAtStart;
        return (ops / seconds, synced == 0 ? 0 : (double)ops / synced);
    }

    /// <summary><paramref name="writers"/> threads inserting fresh keys for the log window: how many inserts, in how many seconds.</summary>
    private static (long Inserts, double Seconds) InsertFromThreads(EtsTable<int, Row> table, int writers)
    {
        long ops = 0;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, writers).Select(t => new Thread(() =>
        {
            var row = Row.Make(t);
            long mine = 0;
            for (var i = t; clock.Elapsed < LogWindow; i += writers, mine++) table.Insert(row with { Id = i });
            Interlocked.Add(ref ops, mine);
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        return (ops, clock.Elapsed.TotalSeconds);
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
