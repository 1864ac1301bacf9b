using System.Collections.Concurrent;
using PersistentEts.Persistence;

namespace PersistentEts.Bench;

internal static partial class WholeProcess
{
    /// <summary>The <c>--small</c> workload's row: two ints, where per-row overhead dominates.</summary>
    public sealed record Pair(int Id, int Value);

    /// <summary>
    /// Memory per row against a <see cref="ConcurrentDictionary{TKey, TValue}"/> holding the same rows, and
    /// the time to load them back, ours and the hand-rolled dump's, for rows so small that per-row overhead
    /// is all there is. The dump's load is the yardstick for how loads grow with the row count: both build
    /// an object per row and one per key, and what the collector does with them grows faster than the rows.
    /// </summary>
    private static void Small(TableType type, int n, List<(string, string)> figures)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pets-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "pairs.pets");
        try
        {
            var empty = GC.GetTotalMemory(forceFullCollection: true);
            var table = Ets.New("pairs", (Pair p) => p.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
            for (var i = 0; i < n; i++) table.Insert(new Pair(i, i));
            var withTable = GC.GetTotalMemory(forceFullCollection: true);
            Snapshot.Save(table, path);
            table.Dispose();
            table = null;

            GC.GetTotalMemory(forceFullCollection: true);
            var baseEmpty = GC.GetTotalMemory(forceFullCollection: true);
            var dict = new ConcurrentDictionary<int, Pair>();
            for (var i = 0; i < n; i++) dict[i] = new Pair(i, i);
            var withDict = GC.GetTotalMemory(forceFullCollection: true);
            var diyPath = Path.Combine(dir, "pairs.diy");
            HandRolledDump.Save(dict, diyPath);
            dict = null;

            // Seven of each, alternately: a million-row load takes a tenth of a second, and medians of three
            // ranged from 0.13 to 0.16 s between runs of the same build.
            var (load, diyLoad) = Measure.Alternating(7,
                () => Snapshot.Load(path, (Pair p) => p.Id, new TableOptions { Type = type }).Dispose(),
                () => HandRolledDump.Load<Pair>(diyPath, p => p.Id),
                () => GC.Collect(), () => GC.Collect());
            figures.Add(("bytes_per_row", F((double)(withTable - empty) / n)));
            figures.Add(("baseline_bytes_per_row", F((double)(withDict - baseEmpty) / n)));
            figures.Add(("bytes_per_row_vs_baseline", F((double)(withTable - empty) / (withDict - baseEmpty))));
            figures.Add(("load_s", F(load)));
            figures.Add(("diy_load_s", F(diyLoad)));
            figures.Add(("load_vs_diy", F(load / diyLoad)));
            figures.Add(("file_mb", F(new FileInfo(path).Length / 1e6)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
