using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;

namespace PersistentEts.Bench.Micro;

/// <summary>Insert, insert-new and counter updates on a set table against ConcurrentDictionary.</summary>
[MemoryDiagnoser]
public class TableWrite
{
    private const int Ops = 1024;

    private Row[] _rows = [];
    private ConcurrentDictionary<int, Row> _dictionary = new();
    private EtsTable<int, Row> _set = null!;
    private static readonly CounterField<Row> Count = new(r => r.Count, (r, v) => r with { Count = v });

    [Params(10_000, 100_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rows = Row.MakeAll(Size);
        _dictionary = new ConcurrentDictionary<int, Row>(_rows.Select(r => KeyValuePair.Create(r.Id, r)));
        _set = WholeProcess.NewTable(TableType.Set);
        _set.Insert(_rows);
    }

    [GlobalCleanup]
    public void Cleanup() => _set.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void ConcurrentDictionary_Set()
    {
        for (var i = 0; i < Ops; i++) _dictionary[_rows[i].Id] = _rows[i];
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void Set_Insert()
    {
        for (var i = 0; i < Ops; i++) _set.Insert(_rows[i]);
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ConcurrentDictionary_TryAdd_Existing()
    {
        var added = 0;
        for (var i = 0; i < Ops; i++) added += _dictionary.TryAdd(_rows[i].Id, _rows[i]) ? 1 : 0;
        return added;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Set_InsertNew_Existing()
    {
        var added = 0;
        for (var i = 0; i < Ops; i++) added += _set.InsertNew(_rows[i]) ? 1 : 0;
        return added;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long ConcurrentDictionary_AddOrUpdate_Counter()
    {
        long last = 0;
        for (var i = 0; i < Ops; i++)
            last = _dictionary.AddOrUpdate(i, static k => Row.Make(k), static (_, r) => r with { Count = r.Count + 1 }).Count;
        return last;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long Set_UpdateCounter()
    {
        long last = 0;
        for (var i = 0; i < Ops; i++) last = _set.UpdateCounter(i, Count, 1);
        return last;
    }
}
