using BenchmarkDotNet.Attributes;

namespace PersistentEts.Bench.Micro;

/// <summary>Select with a predicate and ordered traversal, against LINQ and SortedDictionary.</summary>
[MemoryDiagnoser]
public class TableQuery
{
    private Row[] _rows = [];
    private SortedDictionary<int, Row> _sorted = new();
    private readonly object _gate = new();
    private EtsTable<int, Row> _set = null!;
    private EtsTable<int, Row> _ordered = null!;

    [Params(10_000, 100_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rows = Row.MakeAll(Size);
        _sorted = new SortedDictionary<int, Row>(_rows.ToDictionary(r => r.Id));
        _set = WholeProcess.NewTable(TableType.Set);
        _set.Insert(_rows);
        _ordered = WholeProcess.NewTable(TableType.OrderedSet);
        _ordered.Insert(_rows);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _set.Dispose();
        _ordered.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int LockedSortedDictionary_WhereCount()
    {
        lock (_gate) return _sorted.Values.Count(r => r.Count % 3 == 0);
    }

    [Benchmark]
    public long Set_SelectCount() => _set.SelectCount(r => r.Count % 3 == 0);

    [Benchmark]
    public int Set_Select() => _set.Select(r => r.Count % 3 == 0, r => r.Id).Count;

    [Benchmark]
    public long OrderedSet_FirstNextWalk()
    {
        long sum = 0;
        for (var ok = _ordered.TryFirst(out var k); ok; ok = _ordered.TryNext(k, out k)) sum += k;
        return sum;
    }

    [Benchmark]
    public long LockedSortedDictionary_Walk()
    {
        long sum = 0;
        lock (_gate)
        {
            foreach (var k in _sorted.Keys) sum += k;
        }
        return sum;
    }

    [Benchmark]
    public long OrderedSet_FoldLeft() => _ordered.FoldLeft(0L, (s, r) => s + r.Id);
}
