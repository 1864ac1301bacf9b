using System.Collections.Concurrent;
using System.Globalization;

namespace PersistentEts.Bench;

/// <summary>
/// The whole-process benchmark: table operations against the BCL, snapshot and load against the disk,
/// writers during snapshots, memory. Prints one name=value per line.
/// </summary>
internal static partial class WholeProcess
{
    public static int Run(string[] args)
    {
        var records = 1_000_000;
        var type = TableType.Set;
        var small = args.Contains("--small");
        // --only ops|persistence|log|remote|follow runs one part, for quicker turns while working on it; remote
        // and follow (Azure Blob Storage, e.g. Azurite) run only when asked, with --azure CONNECTION-STRING.
        string? only = null;
        string? azure = null;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--records") records = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--type") type = ParseType(args[i + 1]);
            if (args[i] == "--only") only = args[i + 1];
            if (args[i] == "--azure") azure = args[i + 1];
            if (args[i] == "--encode-threads") SaveOptions = new() { EncodeThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture) };
        }
        if (only is not (null or "ops" or "persistence" or "log" or "remote" or "follow")) throw new ArgumentException($"unknown --only '{only}' (ops, persistence, log, remote, follow)");
        if (only is "remote" or "follow" && azure is null) throw new ArgumentException($"--only {only} needs --azure CONNECTION-STRING (e.g. Azurite's)");
        if (records < 1000) throw new ArgumentException("--records must be at least 1000");
        var figures = new List<(string, string)> { ("type", type.ToEtsName()), ("records", records.ToString(CultureInfo.InvariantCulture)) };
        if (small)
        {
            figures.Add(("workload", "small"));
            Small(type, records, figures);
            foreach (var (name, value) in figures) Console.WriteLine($"{name}={value}");
            return 0;
        }
        var rows = Row.MakeAll(records);
        if (only is null or "ops") TableOperations(type, rows, figures);
        if (only is null or "persistence") Persistence(type, rows, figures);
        if (only is null or "log") LogFigures(type, figures);
        if (only == "remote") RemoteFigures(type, rows, azure!, figures);
        if (only == "follow") FollowFigures(type, rows, azure!, figures);
        foreach (var (name, value) in figures) Console.WriteLine($"{name}={value}");
        return 0;
    }

    private static TableType ParseType(string s) => s switch
    {
        "set" => TableType.Set,
        "ordered_set" => TableType.OrderedSet,
        "bag" => TableType.Bag,
        "duplicate_bag" => TableType.DuplicateBag,
        _ => throw new ArgumentException($"unknown --type '{s}' (set, ordered_set, bag, duplicate_bag)"),
    };

    private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);

    private static string Ops(double v) => v.ToString("F0", CultureInfo.InvariantCulture);

    private static void TableOperations(TableType type, Row[] rows, List<(string, string)> figures)
    {
        var n = rows.Length;
        var keys = Measure.Keys(n, n, 17);
        const int runs = 7;

        EtsTable<int, Row>? table = null;
        var insertTable = () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) table!.Insert(rows[i]); });
        var lookupTable = () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) table!.TryLookup(keys[i], out _); });
        Action freshTable = () => { table?.Dispose(); table = NewTable(type); GC.Collect(); };

        // The baselines are written out, not wrapped, so that they pay no call overhead of ours.
        Action insertBase, lookupBase, freshBase;
        if (type == TableType.OrderedSet)
        {
            var sorted = new SortedDictionary<int, Row>();
            var gate = new object();
            insertBase = () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) lock (gate) sorted[rows[i].Id] = rows[i]; });
            lookupBase = () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) lock (gate) sorted.TryGetValue(keys[i], out _); });
            freshBase = () => { sorted = new SortedDictionary<int, Row>(); GC.Collect(); };
        }
        else
        {
            var dict = new ConcurrentDictionary<int, Row>();
            insertBase = () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) dict[rows[i].Id] = rows[i]; });
            lookupBase = () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) dict.TryGetValue(keys[i], out _); });
            freshBase = () => { dict = new ConcurrentDictionary<int, Row>(); GC.Collect(); };
        }

        var (insert, baseInsert) = Measure.Alternating(runs, insertTable, insertBase, freshTable, freshBase);
        var (lookup, baseLookup) = Measure.Alternating(runs, lookupTable, lookupBase);
        if (type == TableType.OrderedSet)
        {
            // The ordered_set's target is relative to our own set's lookups: both in this process, alternating.
            using var set = NewTable(TableType.Set);
            set.Insert(rows);
            var (orderedLookup, setLookup) = Measure.Alternating(runs, lookupTable,
                () => Measure.Split(n, (a, b) => { for (var i = a; i < b; i++) set.TryLookup(keys[i], out _); }));
            figures.Add(("set_lookup_ops_s", Ops(n / setLookup)));
            figures.Add(("lookup_vs_set", F(setLookup / orderedLookup)));
        }
        table!.Dispose();

        figures.Add(("insert_ops_s", Ops(n / insert)));
        figures.Add(("lookup_ops_s", Ops(n / lookup)));
        figures.Add(("baseline_insert_ops_s", Ops(n / baseInsert)));
        figures.Add(("baseline_lookup_ops_s", Ops(n / baseLookup)));
        figures.Add(("insert_ratio", F(baseInsert / insert)));
        figures.Add(("lookup_ratio", F(baseLookup / lookup)));
    }

    internal static EtsTable<int, Row> NewTable(TableType type) =>
        Ets.New("bench", (Row r) => r.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
}
