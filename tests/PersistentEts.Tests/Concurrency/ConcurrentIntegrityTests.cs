namespace PersistentEts.Tests.Concurrency;

/// <summary>Many threads mixing operations, each test ending with an integrity check of the table.</summary>
[Collection(nameof(ConcurrencyCollection))]
public sealed class ConcurrentIntegrityTests
{
    public sealed record Account(int Id, long Balance);

    private static readonly CounterField<Account> Balance = new(a => a.Balance, (a, v) => a with { Balance = v });

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    public void ConcurrentCounterUpdates_LoseNothing(TableType type)
    {
        using var table = Ets.New("counters", (Account a) => a.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
        table.Insert(Enumerable.Range(0, 16).Select(i => new Account(i, 0)));
        const int perThread = 20_000;
        Parallel.For(0, 4, t =>
        {
            var r = new Random(t);
            for (var i = 0; i < perThread; i++) table.UpdateCounter(r.Next(16), Balance, 1);
        });
        Assert.Equal(4L * perThread, table.FoldLeft(0L, (acc, a) => acc + a.Balance));
    }

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public void MixedOperations_KeepCountAndContentsConsistent(TableType type)
    {
        using var table = Ets.New("mixed", (Account a) => a.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
        Parallel.For(0, 4, t =>
        {
            var r = new Random(100 + t);
            for (var i = 0; i < 20_000; i++)
            {
                var key = r.Next(500);
                switch (r.Next(8))
                {
                    case 0: table.Insert(new Account(key, r.Next(3))); break;
                    case 1: table.InsertNew(new Account(key, 1)); break;
                    case 2: table.Delete(key); break;
                    case 3: table.Take(key); break;
                    case 4: table.Insert([new Account(key, 1), new Account((key + 1) % 500, 2)]); break;
                    case 5: table.DeleteObject(new Account(key, 1)); break;
                    case 6: table.Select(a => a.Id == key); break;
                    default: table.Lookup(key); break;
                }
            }
        });
        var all = table.ToList();
        Assert.Equal(table.Count, all.Count);
        var perKey = all.GroupBy(a => a.Id).ToList();
        if (!type.IsBag()) Assert.All(perKey, g => Assert.Single(g));
        if (type == TableType.Bag) Assert.All(perKey, g => Assert.Equal(g.Count(), g.Distinct().Count()));
        Assert.All(perKey, g => Assert.Equal(g.ToArray(), table.Lookup(g.Key)));
    }

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    public async Task BatchInsert_IsNeverSeenHalfDone(TableType type)
    {
        using var table = Ets.New("batch", (Account a) => a.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
        table.Insert([new Account(1, 0), new Account(2, 0)]);
        var torn = 0;
        using var cts = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var v = 1; v <= 50_000; v++) table.Insert([new Account(1, v), new Account(2, v)]);
            cts.Cancel();
        });
        while (!cts.IsCancellationRequested)
        {
            // Read key 2 after key 1: isolation means key 2 is never older than key 1 was.
            table.TryLookup(1, out var a);
            table.TryLookup(2, out var b);
            if (b!.Balance < a!.Balance) torn++;
        }
        await writer;
        Assert.Equal(0, torn);
    }

    [Fact]
    public async Task TraversalWhileWriting_SeesEveryStableKeyExactlyOnce()
    {
        using var table = Ets.New("walk", (Account a) => a.Id, new TableOptions { Protection = TableProtection.Public });
        table.Insert(Enumerable.Range(0, 5_000).Select(i => new Account(i, 0)));
        using var cts = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            var r = new Random(7);
            while (!cts.IsCancellationRequested)
            {
                var k = 10_000 + r.Next(5_000); // churn keys disjoint from the stable ones
                if (r.Next(2) == 0) table.Insert(new Account(k, 1)); else table.Delete(k);
            }
        });
        var seen = new List<int>();
        for (var ok = table.TryFirst(out var k); ok; ok = table.TryNext(k, out k)) seen.Add(k);
        cts.Cancel();
        await writer;
        var stable = seen.Where(x => x < 5_000).ToList();
        Assert.Equal(5_000, stable.Count);
        Assert.Equal(5_000, stable.Distinct().Count());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }
}

[CollectionDefinition(nameof(ConcurrencyCollection), DisableParallelization = true)]
public sealed class ConcurrencyCollection;
