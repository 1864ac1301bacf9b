namespace PersistentEts.Tests.Model;

/// <summary>
/// Seeded random operation sequences, compared with <see cref="ReferenceTable"/> after every step.
/// A failure message names the seed and step, so it reproduces.
/// </summary>
public sealed class ModelBasedTests
{
    private const int Operations = 10_000;

    public static TheoryData<TableType, int> Cases() => new()
    {
        { TableType.Set, 1 }, { TableType.OrderedSet, 2 }, { TableType.Bag, 3 }, { TableType.DuplicateBag, 4 },
        { TableType.Set, 11 }, { TableType.OrderedSet, 12 }, { TableType.Bag, 13 }, { TableType.DuplicateBag, 14 },
    };

    private static readonly CounterField<ModelRow> Counter = new(r => r.Counter, (r, v) => r with { Counter = v });

    [Theory]
    [MemberData(nameof(Cases))]
    public void RandomOperations_MatchTheReferenceModel(TableType type, int seed)
    {
        var random = new Random(seed);
        var model = new ReferenceTable(type);
        using var table = Ets.New($"model-{type}-{seed}", (ModelRow r) => r.Key, new TableOptions { Type = type, LockStripes = 4 });
        var differences = 0;
        ModelRow Row() => new(random.Next(64), random.Next(4), 0);

        for (var step = 0; step < Operations; step++)
        {
            var op = random.Next(12);
            var where = $"seed {seed}, step {step}, op {op}";
            switch (op)
            {
                case 0 or 1 or 2:
                    var row = Row();
                    table.Insert(row);
                    model.Insert(row);
                    break;
                case 3:
                    var batch = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Row()).ToArray();
                    table.Insert(batch);
                    foreach (var r in batch) model.Insert(r);
                    break;
                case 4:
                    var fresh = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Row()).DistinctBy(r => r.Key).ToArray();
                    Assert.True(model.InsertNew(fresh) == table.InsertNew(fresh), where);
                    break;
                case 5:
                    var k = random.Next(64);
                    Assert.True(model.Take(k).SequenceEqual(table.Take(k)), where);
                    break;
                case 6:
                    var d = Row();
                    Assert.True(model.DeleteObject(d) == table.DeleteObject(d), where);
                    break;
                case 7:
                    var tag = random.Next(4);
                    var bound = random.Next(64);
                    Assert.True(model.SelectDelete(r => r.Tag == tag && r.Key < bound / 8) == table.SelectDelete(r => r.Tag == tag && r.Key < bound / 8), where);
                    break;
                case 8 when !type.IsBag():
                    var ck = random.Next(64);
                    if (model.Lookup(ck).Count > 0) Assert.True(model.UpdateCounter(ck, 3) == table.UpdateCounter(ck, Counter, 3), where);
                    else Assert.Throws<EtsKeyNotFoundException>(() => table.UpdateCounter(ck, Counter, 3));
                    break;
                case 9 when random.Next(50) == 0:
                    table.DeleteAllObjects();
                    model.Clear();
                    break;
                default:
                    var lk = random.Next(64);
                    Assert.True(model.Lookup(lk).SequenceEqual(table.Lookup(lk)), where);
                    Assert.True(model.Lookup(lk).Count > 0 == table.Contains(lk), where);
                    break;
            }
            if (model.Count != table.Count || !model.Canonical().SequenceEqual(Canonical(table, type))) differences++;
            Assert.True(differences == 0, $"table and model differ at {where}");
        }
        Assert.Equal(0, differences);
    }

    private static IEnumerable<ModelRow> Canonical(EtsTable<int, ModelRow> table, TableType type)
    {
        var all = table.ToList();
        if (type == TableType.OrderedSet)
        {
            // The ordered table must already be in key order; check that rather than sorting it away.
            Assert.True(all.Select(r => r.Key).SequenceEqual(all.Select(r => r.Key).Order()));
        }
        // Stable sort by key keeps the bags' insertion order within a key.
        return all.OrderBy(r => r.Key);
    }
}
