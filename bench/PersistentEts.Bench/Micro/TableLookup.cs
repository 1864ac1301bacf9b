using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace PersistentEts.Bench.Micro;

/// <summary>Random lookups of existing keys: set, bag and ordered_set against their BCL baselines.</summary>
[MemoryDiagnoser]
public class TableLookup
{
    private const int Lookups = 1024;

    private int[] _keys = [];
    private ConcurrentDictionary<int, Row> _dictionary = new();
    private SortedDictionary<int, Row> _sorted = new();
    private readonly object _gate = new();
    private EtsTable<int, Row> _set = null!;
    private EtsTable<int, Row> _ordered = null!;
    private EtsTable<int, Row> _bag = null!;

    [Params(10_000, 1_000_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rows = Row.MakeAll(Size);
        _keys = Measure.Keys(Size, Lookups, 3);
        _dictionary = new ConcurrentDictionary<int, Row>(rows.Select(r => KeyValuePair.Create(r.Id, r)));
        _sorted = new SortedDictionary<int, Row>(rows.ToDictionary(r => r.Id));
        _set = WholeProcess.NewTable(TableType.Set);
        _set.Insert(rows);
        _ordered = WholeProcess.NewTable(TableType.OrderedSet);
        _ordered.Insert(rows);
        _bag = WholeProcess.NewTable(TableType.Bag);
        _bag.Insert(rows);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _set.Dispose();
        _ordered.Dispose();
        _bag.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    public int ConcurrentDictionary_TryGetValue()
    {
        var found = 0;
        foreach (var k in _keys) found += _dictionary.TryGetValue(k, out _) ? 1 : 0;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Set_TryLookup()
    {
        var found = 0;
        foreach (var k in _keys) found += _set.TryLookup(k, out _) ? 1 : 0;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int LockedSortedDictionary_TryGetValue()
    {
        var found = 0;
        foreach (var k in _keys)
        {
            lock (_gate) found += _sorted.TryGetValue(k, out _) ? 1 : 0;
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int OrderedSet_TryLookup()
    {
        var found = 0;
        foreach (var k in _keys) found += _ordered.TryLookup(k, out _) ? 1 : 0;
        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Bag_TryLookup()
    {
        var found = 0;
        foreach (var k in _keys) found += _bag.TryLookup(k, out _) ? 1 : 0;
        return found;
    }
}
