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
            // Process CPU time of each, a median of seven taken alternately: steadier than wall time on a noisy machine.
            var (saveCpu, diySaveCpu) = Measure.CpuSecondsAlternating(7, () => Snapshot.Save(table, path, SaveOptions),
                () => HandRolledDump.Save(diy, diyPath));
            var (loadCpu, diyLoadCpu) = Measure.CpuSecondsAlternating(7,
                () => Snapshot.Load(path, (Row r) => r.Id, new TableOptions { Type = type }).Dispose(),
                () => HandRolledDump.Load<Row>(diyPath, r => r.Id));
            var disk = Measure.MedianSeconds(3, () => DiskWrite(Path.Combine(dir, "raw.bin"), fileBytes));

            var diyWriter = WriterWindows(r => diy[r.Id] = r, n, () => HandRolledDump.Save(diy, diyPath));
            var writer = WriterWindows(r => table.Insert(r), n, () => Snapshot.Save(table, path, SaveOptions));
            var (idle, during) = (writer.IdleOpsPerSecond, writer.DuringOpsPerSecond);
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
            figures.Add(("max_writer_pause_ms", F(writer.MaxPauseMs)));
            // What bounds the pause: the runtime's own stop-the-world time while writers and saves ran.
            figures.Add(("gc_pause_ms_idle", F(writer.IdleGcPause.TotalMilliseconds)));
            figures.Add(("gc_pause_ms_during_snapshots", F(writer.DuringGcPause.TotalMilliseconds)));
            figures.Add(("gc_max_pause_ms", F(MaxGcPauseMs())));
            figures.Add(("gen2_collections_during_snapshots", writer.DuringGen2Collections.ToString(System.Globalization.CultureInfo.InvariantCulture)));
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
            figures.Add(("diy_writer_during_vs_idle", F(diyWriter.DuringOpsPerSecond / diyWriter.IdleOpsPerSecond)));
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

    /// <summary>What the writer windows measured: writes per second, the slowest write with saves, and the collector's work.</summary>
    private readonly record struct WriterFigures(double IdleOpsPerSecond, double DuringOpsPerSecond, double MaxPauseMs,
        TimeSpan IdleGcPause, TimeSpan DuringGcPause, int DuringGen2Collections);

    /// <summary>The writer windows in the order they run: idle (false) and with saves (true), each half a second.</summary>
    private static readonly bool[] WindowsWithSaves = [false, true, true, false, false, true, true, false];
    private static readonly TimeSpan WriterWindow = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// One writer replacing random rows: two seconds idle and two with saves running back to back, in
    /// half-second windows in the order idle, saves, saves, idle, twice over, so that what drifts over the
    /// four seconds weighs the same on both sides. A bag's writes add objects (the rows differ), so its
    /// table grows while it is measured, and every write compares against more objects of its key: measured
    /// as two windows one after the other, the later one, with saves, saw a table with a million objects more.
    /// Each window starts after a full collection (not timed), so that no window pays for collecting the
    /// garbage of the one before it.
    /// </summary>
    private static WriterFigures WriterWindows(Action<Row> write, int n, Action save)
    {
        long idleOps = 0, duringOps = 0;
        double idleSeconds = 0, duringSeconds = 0, maxPause = 0;
        TimeSpan idleGc = TimeSpan.Zero, duringGc = TimeSpan.Zero;
        var duringGen2 = 0;
        var random = new Random(5);
        foreach (var withSaves in WindowsWithSaves)
        {
            GC.Collect();
            var gcBefore = GC.GetTotalPauseDuration();
            var gen2Before = GC.CollectionCount(2);
            var (ops, seconds, pause) = Writers(write, n, random, WriterWindow, withSaves ? save : null);
            var gc = GC.GetTotalPauseDuration() - gcBefore;
            if (withSaves)
            {
                (duringOps, duringSeconds, duringGc) = (duringOps + ops, duringSeconds + seconds, duringGc + gc);
                duringGen2 += GC.CollectionCount(2) - gen2Before;
                maxPause = Math.Max(maxPause, pause);
            }
            else
            {
                (idleOps, idleSeconds, idleGc) = (idleOps + ops, idleSeconds + seconds, idleGc + gc);
            }
        }
        return new WriterFigures(idleOps / idleSeconds, duringOps / duringSeconds, maxPause, idleGc, duringGc, duringGen2);
    }

    /// <summary>
    /// One writer updating random rows for <paramref name="duration"/>; with <paramref name="save"/>, saves
    /// run back to back meanwhile (the last one started is waited for, outside the window). Returns the
    /// writes, the seconds they took and the slowest single write in ms.
    /// </summary>
    private static (long Ops, double Seconds, double MaxPauseMs) Writers(Action<Row> write, int n, Random r, TimeSpan duration, Action? save)
    {
        using var stop = new CancellationTokenSource();
        var saver = save is null ? null : new Thread(() =>
        {
            while (!stop.IsCancellationRequested) save();
        });
        saver?.Start();
        var updates = Row.MakeAll(4096);
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
        return (ops, seconds, maxTicks * 1000.0 / Stopwatch.Frequency);
    }
}
