using System.Diagnostics;
using PersistentEts;
using PersistentEts.Persistence;

// Snapshot figures on the fixed workload: N rows of Row(Id, "name-"+i, 7*i, 64-byte payload).
// Prints one name=value per line.
var records = args.Length >= 2 && args[0] == "--records" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
var dir = Path.Combine(Path.GetTempPath(), "pets-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dir);
var path = Path.Combine(dir, "rows.pets");
try
{
    using var table = Ets.New("rows", (Row r) => r.Id, new TableOptions { Protection = TableProtection.Public });
    for (var i = 0; i < records; i++) table.Insert(new Row(i, "name-" + i, 7L * i, new byte[64]));
    var steady = GC.GetTotalMemory(forceFullCollection: true);

    // A writer runs through the save; its slowest single insert bounds the pause writers saw.
    using var stop = new CancellationTokenSource();
    long maxPauseTicks = 0;
    var writer = Task.Run(() =>
    {
        var r = new Random(1);
        var sw = new Stopwatch();
        while (!stop.IsCancellationRequested)
        {
            var id = r.Next(records);
            sw.Restart();
            table.Insert(new Row(id, "name-" + id, 7L * id, new byte[64]));
            maxPauseTicks = Math.Max(maxPauseTicks, sw.ElapsedTicks);
        }
    });
    long peak = steady;
    var sampler = Task.Run(() =>
    {
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            Thread.Sleep(1);
        }
    });
    Thread.Sleep(200);
    maxPauseTicks = 0;
    var result = Snapshot.Save(table, path, new SnapshotWriteOptions { Sync = true });
    var pauseDuringSave = maxPauseTicks;
    stop.Cancel();
    await Task.WhenAll(writer, sampler);

    var load = Stopwatch.StartNew();
    using var loaded = Snapshot.Load(path, (Row r) => r.Id);
    load.Stop();

    Console.WriteLine($"records={records}");
    Console.WriteLine($"snapshot_s={result.Duration.TotalSeconds:F3}");
    Console.WriteLine($"snapshot_writer_pause_ms={result.WriterPause.TotalMilliseconds:F3}");
    Console.WriteLine($"max_writer_pause_ms={pauseDuringSave * 1000.0 / Stopwatch.Frequency:F3}");
    Console.WriteLine($"load_s={load.Elapsed.TotalSeconds:F3}");
    Console.WriteLine($"loaded_records={loaded.Count}");
    Console.WriteLine($"file_mb={result.Bytes / 1e6:F1}");
    Console.WriteLine($"steady_mb={steady / 1e6:F1}");
    Console.WriteLine($"snapshot_peak_mb={peak / 1e6:F1}");
}
finally
{
    Directory.Delete(dir, recursive: true);
}

internal sealed record Row(int Id, string Name, long Count, byte[] Payload);
