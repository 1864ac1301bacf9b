using System.Diagnostics;
using PersistentEts.Persistence;

namespace PersistentEts.Bench;

internal static partial class WholeProcess
{
    /// <summary>How the benchmark's saves run: the defaults, or --encode-threads N.</summary>
    private static SnapshotWriteOptions SaveOptions = SnapshotWriteOptions.Default;

    private static void Persistence(TableType type, Row[] rows, List<(string, string)> figures)
    {
        var n = rows.Length;
        var dir = Path.Combine(Path.GetTempPath(), "pets-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "rows.pets");
        try
        {
            var table = NewTable(type);
            table.Insert(rows);
            rows = null!; // the table holds them now; the array must not count as the table's memory
            var steady = GC.GetTotalMemory(forceFullCollection: true);
            // Before anything else is in memory: the save's high-water mark over the table alone.
            var peak = PeakDuringSave(() => Snapshot.Save(table, path, SaveOptions));

            // The hand-rolled alternative holds the same rows in a ConcurrentDictionary.
            var diy = new System.Collections.Concurrent.ConcurrentDictionary<int, Row>();
            foreach (var row in table.ToList()) diy[row.Id] = row;
            var diyPath = Path.Combine(dir, "rows.diy");

            // Warm both codecs once, then time saves (sync on) and loads, ours and hand-rolled alternately.
            Snapshot.Save(table, path, SaveOptions);
            HandRolledDump.Save(diy, diyPath);
            var fixPause = TimeSpan.Zero;
            var (snapshot, diySave) = Measure.Alternating(5, () => fixPause = Snapshot.Save(table, path, SaveOptions).WriterPause,
                () => HandRolledDump.Save(diy, diyPath), () => GC.Collect(), () => GC.Collect());
            var fileBytes = new FileInfo(path).Length;
            long loaded = 0, diyLoaded = 0;
            var (load, diyLoad) = Measure.Alternating(5, () =>
            {
                using var back = Snapshot.Load(path, (Row r) => r.Id, new TableOptions { Type = type });
                loaded = back.Count;
            }, () => diyLoaded = HandRolledDump.Load<Row>(diyPath, r => r.Id).Count, () => GC.Collect(), () => GC.Collect());
            // Process CPU time of each, a median of five: steadier than wall time on a noisy machine.
            var saveCpu = Measure.CpuSeconds(() => Snapshot.Save(table, path, SaveOptions));
            var diySaveCpu = Measure.CpuSeconds(() => HandRolledDump.Save(diy, diyPath));
            var loadCpu = Measure.CpuSeconds(() => Snapshot.Load(path, (Row r) => r.Id, new TableOptions { Type = type }).Dispose());
            var diyLoadCpu = Measure.CpuSeconds(() => HandRolledDump.Load<Row>(diyPath, r => r.Id));
            var disk = Measure.MedianSeconds(3, () => DiskWrite(Path.Combine(dir, "raw.bin"), fileBytes));

            var (diyIdle, _) = Writers(r => diy[r.Id] = r, n, TimeSpan.FromSeconds(2), null);
            var (diyDuring, _) = Writers(r => diy[r.Id] = r, n, TimeSpan.FromSeconds(2), () => HandRolledDump.Save(diy, diyPath));
            var gcIdleBefore = GC.GetTotalPauseDuration();
            var (idle, _) = Writers(r => table.Insert(r), n, TimeSpan.FromSeconds(2), null);
            var gcPauseIdle = GC.GetTotalPauseDuration() - gcIdleBefore;
            var gcBefore = GC.GetTotalPauseDuration();
            var gen2Before = GC.CollectionCount(2);
            var (during, maxPause) = Writers(r => table.Insert(r), n, TimeSpan.FromSeconds(2), () => Snapshot.Save(table, path, SaveOptions));
            var gcPause = GC.GetTotalPauseDuration() - gcBefore;
            var gen2 = GC.CollectionCount(2) - gen2Before;
            // The hand-rolled dump's memory alone: without the table, the dictionary holds the rows.
            table.Dispose();
            var diySteady = GC.GetTotalMemory(forceFullCollection: true);
            var diyPeak = PeakDuringSave(() => HandRolledDump.Save(diy, diyPath));

            figures.Add(("snapshot_s", F(snapshot)));
            figures.Add(("snapshot_instant_pause_ms", F(fixPause.TotalMilliseconds)));
            figures.Add(("load_s", F(load)));
            figures.Add(("loaded_records", loaded.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            figures.Add(("file_mb", F(fileBytes / 1e6)));
            figures.Add(("disk_write_s", F(disk)));
            figures.Add(("snapshot_vs_disk", F(snapshot / disk)));
            figures.Add(("writer_ops_s_idle", Ops(idle)));
            figures.Add(("writer_ops_s_during_snapshot", Ops(during)));
            figures.Add(("writer_during_vs_idle", F(during / idle)));
            figures.Add(("max_writer_pause_ms", F(maxPause)));
            // What bounds the pause: the runtime's own stop-the-world time while writers and saves ran.
            figures.Add(("gc_pause_ms_idle", F(gcPauseIdle.TotalMilliseconds)));
            figures.Add(("gc_pause_ms_during_snapshots", F(gcPause.TotalMilliseconds)));
            figures.Add(("gc_max_pause_ms", F(MaxGcPauseMs())));
            figures.Add(("gen2_collections_during_snapshots", gen2.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            figures.Add(("steady_mb", F(steady / 1e6)));
            figures.Add(("snapshot_peak_mb", F(peak / 1e6)));
            figures.Add(("peak_vs_steady", F((double)peak / steady)));
            figures.Add(("diy_save_s", F(diySave)));
            figures.Add(("diy_load_s", F(diyLoad)));
            figures.Add(("diy_loaded_records", diyLoaded.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            figures.Add(("save_vs_diy", F(snapshot / diySave)));
            figures.Add(("load_vs_diy", F(load / diyLoad)));
            figures.Add(("save_cpu_s", F(saveCpu)));
            figures.Add(("diy_save_cpu_s", F(diySaveCpu)));
            figures.Add(("load_cpu_s", F(loadCpu)));
            figures.Add(("diy_load_cpu_s", F(diyLoadCpu)));
            figures.Add(("diy_writer_during_vs_idle", F(diyDuring / diyIdle)));
            figures.Add(("diy_peak_vs_steady", F((double)diyPeak / diySteady)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double MaxGcPauseMs()
    {
        double max = 0;
        foreach (var kind in new[] { GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background })
        {
            foreach (var p in GC.GetGCMemoryInfo(kind).PauseDurations) max = Math.Max(max, p.TotalMilliseconds);
        }
        return max;
    }

    /// <summary>The machine's limit: the same number of bytes written with a plain FileStream and fsynced.</summary>
    private static void DiskWrite(string path, long bytes)
    {
        var buffer = new byte[1 << 20];
        Random.Shared.NextBytes(buffer);
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            for (long left = bytes; left > 0; left -= buffer.Length) fs.Write(buffer, 0, (int)Math.Min(buffer.Length, left));
            fs.Flush(flushToDisk: true);
        }
        File.Delete(path);
    }

    /// <summary>The managed heap's high-water mark while a save runs and nothing else allocates.</summary>
    private static long PeakDuringSave(Action save)
    {
        GC.Collect();
        long peak = GC.GetTotalMemory(false);
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!done.IsSet)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                Thread.Sleep(1);
            }
        });
        sampler.Start();
        save();
        done.Set();
        sampler.Join();
        return peak;
    }

    /// <summary>
    /// One writer updating random rows for <paramref name="duration"/>; with <paramref name="save"/>, saves
    /// run back to back meanwhile. Returns ops/s and the slowest single write in ms.
    /// </summary>
    private static (double OpsPerSecond, double MaxPauseMs) Writers(Action<Row> write, int n, TimeSpan duration, Action? save)
    {
        using var stop = new CancellationTokenSource();
        var saver = save is null ? null : new Thread(() =>
        {
            while (!stop.IsCancellationRequested) save();
        });
        saver?.Start();
        var updates = Row.MakeAll(4096);
        var r = new Random(5);
        long ops = 0, maxTicks = 0;
        var total = Stopwatch.StartNew();
        var one = new Stopwatch();
        while (total.Elapsed < duration)
        {
            var row = updates[ops & 4095] with { Id = r.Next(n) };
            one.Restart();
            write(row);
            maxTicks = Math.Max(maxTicks, one.ElapsedTicks);
            ops++;
        }
        var seconds = total.Elapsed.TotalSeconds;
        stop.Cancel();
        saver?.Join();
        return (ops / seconds, maxTicks * 1000.0 / Stopwatch.Frequency);
    }
}
