namespace PersistentEts.Tests.Contract;

/// <summary>
/// The behaviour every table type shares, with per-type expectations where ETS differs by type.
/// Run for each table type and two key types by the subclasses at the end of this file.
/// </summary>
public abstract partial class TableContract<TKey> : IDisposable where TKey : notnull
{
    private readonly EtsTable<TKey, Item<TKey>> _table;

    protected TableContract()
    {
        _table = Ets.New(Guid.NewGuid().ToString("N"), (Item<TKey> i) => i.Key,
            new TableOptions { Type = Type, Protection = TableProtection.Public });
    }

    protected abstract TableType Type { get; }

    protected abstract TKey K(int i);

    protected EtsTable<TKey, Item<TKey>> Table => _table;

    protected bool IsBag => Type.IsBag();

    protected static readonly CounterField<Item<TKey>> Hits = new(i => i.Hits, (i, v) => i with { Hits = v });

    public void Dispose()
    {
        _table.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Insert_ThenLookup_ReturnsTheObject()
    {
        _table.Insert(new Item<TKey>(K(1), 10));
        Assert.Equal([new Item<TKey>(K(1), 10)], _table.Lookup(K(1)));
        Assert.True(_table.TryLookup(K(1), out var found));
        Assert.Equal(10, found.Value);
        Assert.Equal(1, _table.Count);
    }

    /// <summary>
    /// A snapshot's capture is of its instant, whatever happens while it is read: the table growing many
    /// times over (a hashed table's array keeps its layout until the capture ends, then grows), keys
    /// rewritten, the table emptied and refilled.
    /// </summary>
    [Fact]
    public void ACapture_KeepsItsInstant_WhileTheTableGrowsManyTimes_IsEmptiedAndRefilled()
    {
        var atInstant = Enumerable.Range(0, 100).Select(i => new Item<TKey>(K(i), i)).ToArray();
        _table.Insert(atInstant);
        using (var view = _table.Core.BeginSnapshot())
        {
            for (var i = 100; i < 20_000; i++) _table.Insert(new Item<TKey>(K(i), i));
            for (var i = 0; i < 100; i += 2) _table.Insert(new Item<TKey>(K(i), -i));
            _table.DeleteAllObjects();
            for (var i = 0; i < 5_000; i++) _table.Insert(new Item<TKey>(K(i), i + 1));
            Assert.Equal(atInstant, Captured(view).OrderBy(o => o.Value));
        }
        for (var i = 5_000; i < 20_000; i++) _table.Insert(new Item<TKey>(K(i), i + 1));
        Assert.Equal(20_000, _table.Count);
        Assert.All(Enumerable.Range(0, 20_000), i => Assert.Equal([new Item<TKey>(K(i), i + 1)], _table.Lookup(K(i))));
    }

    /// <summary>
    /// The same while the capture is read a slice at a time and the table changes between slices: keys
    /// already read and keys not yet read are rewritten, deleted and re-inserted, and new keys come in
    /// before and after the reader's place (an ordered table's cursor, a hashed table's part).
    /// </summary>
    [Fact]
    public void ACapture_KeepsItsInstant_WhenTheTableChangesBetweenTheSlicesItIsReadIn()
    {
        var atInstant = Enumerable.Range(0, 6_000).Select(i => new Item<TKey>(K(2 * i), i)).ToArray();
        var random = new Random(7);
        // In no order, so an ordered table's leaves split unevenly and the reader stops inside them.
        foreach (var item in atInstant.OrderBy(_ => random.Next())) _table.Insert(item);
        using var view = _table.Core.BeginSnapshot();
        using var run = new PersistentEts.Storage.ObjectRun<Item<TKey>>();
        var slice = 0;
        // An ordered capture copies a leaf on its first write past the reader: fewer changes per slice
        // leave leaves unchanged for the reader to read live, so the capture still comes in many slices.
        var changes = view.Parts == 0 ? 20 : 300;
        void ChangeSome()
        {
            if (slice % 2 == 1)
            {
                // Empty whole stretches of the table (an ordered table's leaves go), then put a third back.
                var from = random.Next(6_000 - 300);
                for (var k = from; k < from + 300; k++) _table.Delete(K(2 * k));
                for (var k = from; k < from + 300; k += 3) _table.Insert(new Item<TKey>(K(2 * k), -slice));
            }
            if (view.Parts == 0 && run.AsSpan().Length > 0)
            {
                // Just past the reader's place: the leaf it stopped in is copied from there on, not whole.
                var at = run.AsSpan()[^1].Value;
                _table.Insert(new Item<TKey>(K(2 * at + 1), -1));
            }
            for (var j = 0; j < changes; j++)
            {
                var i = random.Next(6_000);
                switch (random.Next(4))
                {
                    case 0: _table.Insert(new Item<TKey>(K(2 * i), -slice)); break;
                    case 1: _table.Delete(K(2 * i)); break;
                    case 2: _table.Insert(new Item<TKey>(K(2 * i + 1), -1)); break;
                    default: _table.Delete(K(2 * i + 1)); break;
                }
            }
            slice++;
        }
        if (view.Parts == 0)
        {
            while (view.ReadNext(run)) ChangeSome();
        }
        else
        {
            for (var part = 0; part < view.Parts; part++)
            {
                view.ReadPart(part, run);
                ChangeSome();
            }
        }
        Assert.Equal(atInstant, run.AsSpan().ToArray().OrderBy(o => o.Value));
        Assert.True(slice > 3, $"the capture was read in {slice} slices");
        if (view.Parts == 0)
        {
            // An ordered capture comes in key order, copies of changed leaves in their places.
            var keys = run.AsSpan().ToArray().Select(o => o.Key).ToArray();
            Assert.All(Enumerable.Range(1, keys.Length - 1), i => Assert.True(Comparer<TKey>.Default.Compare(keys[i - 1], keys[i]) < 0, $"{keys[i - 1]} before {keys[i]}"));
        }
    }

    private static List<Item<TKey>> Captured(PersistentEts.Tables.ISnapshotView<Item<TKey>> view)
    {
        using var run = new PersistentEts.Storage.ObjectRun<Item<TKey>>();
        if (view.Parts == 0)
        {
            while (view.ReadNext(run)) { }
            return [.. run.AsSpan().ToArray()];
        }
        for (var part = 0; part < view.Parts; part++) view.ReadPart(part, run);
        return [.. run.AsSpan().ToArray()];
    }

    [Fact]
    public void Insert_OnExistingKey_BehavesPerType()
    {
        _table.Insert(new Item<TKey>(K(1), 10));
        _table.Insert(new Item<TKey>(K(1), 20));
        _table.Insert(new Item<TKey>(K(1), 10));
        var values = _table.Lookup(K(1)).Select(i => i.Value).ToArray();
        var expected = Type switch
        {
            TableType.Set or TableType.OrderedSet => new[] { 10 },
            TableType.Bag => [10, 20],
            _ => [10, 20, 10],
        };
        Assert.Equal(expected, values);
        Assert.Equal(expected.Length, _table.Count);
    }

    [Fact]
    public void Lookup_MissingKey_IsEmpty()
    {
        Assert.Empty(_table.Lookup(K(99)));
        Assert.False(_table.TryLookup(K(99), out _));
        Assert.False(_table.Contains(K(99)));
    }

    [Fact]
    public void InsertNew_WhenKeyExists_InsertsNothing()
    {
        Assert.True(_table.InsertNew(new Item<TKey>(K(1), 1)));
        Assert.False(_table.InsertNew(new Item<TKey>(K(1), 2)));
        Assert.Equal([1], _table.Lookup(K(1)).Select(i => i.Value));
    }

    [Fact]
    public void InsertNew_Batch_WhenAnyKeyExists_InsertsNothing()
    {
        _table.Insert(new Item<TKey>(K(2), 0));
        Assert.False(_table.InsertNew([new Item<TKey>(K(1), 1), new Item<TKey>(K(2), 2), new Item<TKey>(K(3), 3)]));
        Assert.Equal(1, _table.Count);
        Assert.True(_table.InsertNew([new Item<TKey>(K(1), 1), new Item<TKey>(K(3), 3)]));
        Assert.Equal(3, _table.Count);
    }

    [Fact]
    public void Insert_Batch_InsertsAll()
    {
        _table.Insert(Enumerable.Range(0, 100).Select(i => new Item<TKey>(K(i), i)));
        Assert.Equal(100, _table.Count);
        Assert.All(Enumerable.Range(0, 100), i => Assert.True(_table.Contains(K(i))));
    }

    [Fact]
    public void Take_RemovesAndReturns()
    {
        _table.Insert(new Item<TKey>(K(1), 1));
        Assert.Equal([1], _table.Take(K(1)).Select(i => i.Value));
        Assert.Empty(_table.Take(K(1)));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Delete_RemovesEveryObjectOfTheKey()
    {
        _table.Insert([new Item<TKey>(K(1), 1), new Item<TKey>(K(1), 2), new Item<TKey>(K(2), 3)]);
        Assert.True(_table.Delete(K(1)));
        Assert.False(_table.Delete(K(1)));
        Assert.Empty(_table.Lookup(K(1)));
        Assert.Equal(1, _table.Count);
    }

    [Fact]
    public void DeleteObject_RemovesOnlyAnEqualObject()
    {
        _table.Insert(new Item<TKey>(K(1), 1));
        Assert.False(_table.DeleteObject(new Item<TKey>(K(1), 2)));
        Assert.True(_table.DeleteObject(new Item<TKey>(K(1), 1)));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void DeleteAllObjects_EmptiesTheTable()
    {
        _table.Insert(Enumerable.Range(0, 50).Select(i => new Item<TKey>(K(i), i)));
        _table.DeleteAllObjects();
        Assert.Equal(0, _table.Count);
        Assert.Empty(_table.ToList());
        Assert.False(_table.TryFirst(out _));
    }

    [Fact]
    public void FirstNext_VisitsEveryKeyOnce()
    {
        _table.Insert(Enumerable.Range(0, 300).Select(i => new Item<TKey>(K(i), i)));
        var seen = new List<TKey>();
        for (var ok = _table.TryFirst(out var k); ok; ok = _table.TryNext(k!, out k)) seen.Add(k!);
        Assert.Equal(300, seen.Count);
        Assert.Equal(300, seen.Distinct().Count());
    }

    [Fact]
    public void FirstNext_WhileDeletingVisitedKeys_VisitsEveryKeyOnce()
    {
        _table.Insert(Enumerable.Range(0, 200).Select(i => new Item<TKey>(K(i), i)));
        var seen = new List<TKey>();
        for (var ok = _table.TryFirst(out var k); ok; ok = _table.TryNext(k!, out k))
        {
            seen.Add(k!);
            _table.Delete(k!); // ETS safe_fixtable: next from a deleted key still works
        }
        Assert.Equal(200, seen.Distinct().Count());
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void FoldLeft_SeesEveryObject()
    {
        _table.Insert(Enumerable.Range(1, 10).Select(i => new Item<TKey>(K(i), i)));
        Assert.Equal(55, _table.FoldLeft(0, (acc, i) => acc + i.Value));
        Assert.Equal(55, _table.FoldRight(0, (acc, i) => acc + i.Value));
    }

    [Fact]
    public void ToList_ReturnsEveryObject()
    {
        var items = Enumerable.Range(0, 20).Select(i => new Item<TKey>(K(i), i)).ToArray();
        _table.Insert(items);
        Assert.Equal(items.OrderBy(i => i.Value), _table.ToList().OrderBy(i => i.Value));
    }

    [Fact]
    public void Select_FiltersAndProjects()
    {
        _table.Insert(Enumerable.Range(0, 20).Select(i => new Item<TKey>(K(i), i)));
        Assert.Equal(10, _table.Select(i => i.Value % 2 == 0).Count);
        Assert.Equal([1, 3, 5], _table.Select(i => i.Value < 6 && i.Value % 2 == 1, i => i.Value).Order());
        Assert.Equal(10, _table.SelectCount(i => i.Value >= 10));
    }

    [Fact]
    public void Select_WithExpressionSpec_Works()
    {
        _table.Insert(Enumerable.Range(0, 20).Select(i => new Item<TKey>(K(i), i)));
        var spec = MatchSpec.Create<Item<TKey>, int>(i => i.Value > 15, i => i.Value * 10);
        Assert.Equal([160, 170, 180, 190], _table.Select(spec).Order());
        Assert.Contains("Value", spec.Description);
    }

    [Fact]
    public void Select_WithLimit_PagesThroughEveryMatchOnce()
    {
        _table.Insert(Enumerable.Range(0, 95).Select(i => new Item<TKey>(K(i), i)));
        if (IsBag) _table.Insert(Enumerable.Range(0, 95).Select(i => new Item<TKey>(K(i), i + 1000)));
        var spec = MatchSpec.Create<Item<TKey>, int>(i => i.Value % 5 != 0, i => i.Value);
        var all = new List<int>();
        var page = _table.Select(spec, 7);
        while (true)
        {
            Assert.True(page.Items.Count <= 7);
            all.AddRange(page.Items);
            if (page.Continuation is null) break;
            page = _table.Select(page.Continuation);
        }
        Assert.Equal(_table.Select(spec).Order(), all.Order());
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Select_WithZeroLimit_IsRefused()
    {
        var spec = MatchSpec.Create<Item<TKey>>(i => true);
        Assert.Throws<EtsArgumentException>(() => _table.Select(spec, 0));
    }

    [Fact]
    public void SelectDelete_RemovesMatches()
    {
        _table.Insert(Enumerable.Range(0, 20).Select(i => new Item<TKey>(K(i), i)));
        Assert.Equal(10, _table.SelectDelete(i => i.Value < 10));
        Assert.Equal(10, _table.Count);
        Assert.All(_table.ToList(), i => Assert.True(i.Value >= 10));
    }

    [Fact]
    public void SelectReplace_ReplacesMatches_AndRefusesKeyChanges()
    {
        _table.Insert(Enumerable.Range(0, 10).Select(i => new Item<TKey>(K(i), i)));
        Assert.Equal(5, _table.SelectReplace(i => i.Value < 5, i => i with { Value = i.Value + 100 }));
        Assert.Equal(5, _table.SelectCount(i => i.Value >= 100));
        Assert.Throws<EtsArgumentException>(() => _table.SelectReplace(i => i.Value == 7, i => i with { Key = K(500) }));
        Assert.Equal([7], _table.Lookup(K(7)).Select(i => i.Value));
    }

    [Fact]
    public void SelectReplace_ThatChangesOneKey_IsRefused_WithTheTableUnchanged()
    {
        _table.Insert(Enumerable.Range(0, 100).Select(i => new Item<TKey>(K(i), i)));
        var before = _table.ToList().OrderBy(i => i.Value).ToList();
        // Every object matches; the one holding 50 would move to another key. ETS refuses it before anything changes.
        Assert.Throws<EtsArgumentException>(() => _table.SelectReplace(_ => true,
            i => i.Value == 50 ? i with { Key = K(500) } : i with { Value = i.Value + 1000 }));
        Assert.Equal(before, _table.ToList().OrderBy(i => i.Value).ToList());
    }

    [Fact]
    public void LookupElement_ProjectsOrThrowsOrDefaults()
    {
        _table.Insert(new Item<TKey>(K(1), 42));
        Assert.Equal([42], _table.LookupElement(K(1), i => i.Value));
        Assert.Throws<EtsKeyNotFoundException>(() => _table.LookupElement(K(2), i => i.Value));
        Assert.Equal([-1], _table.LookupElement(K(2), i => i.Value, -1));
    }

    [Fact]
    public void Slot_CoversEveryObject_ThenEnds()
    {
        _table.Insert(Enumerable.Range(0, 30).Select(i => new Item<TKey>(K(i), i)));
        var total = 0;
        var slot = 0;
        for (var objs = _table.Slot(slot); objs is not null; objs = _table.Slot(++slot)) total += objs.Count;
        Assert.Equal(30, total);
        Assert.Throws<EtsArgumentException>(() => _table.Slot(-1));
    }

    [Fact]
    public void Info_ReportsTheTable()
    {
        _table.Insert(new Item<TKey>(K(1), 1));
        var info = _table.Info();
        Assert.Equal(Type, info.Type);
        Assert.Equal(1, info.Size);
        Assert.Equal(_table.HandleId, info.Owner);
        Assert.Equal(TableProtection.Public, info.Protection);
        Assert.Contains("Key", info.Key);
        Assert.True(info.Memory > 0);
        Assert.Contains(Ets.All(), t => t.Id == info.Id);
    }

    [Fact]
    public void NullObject_IsRefusedWithATypedError() =>
        Assert.Throws<EtsArgumentException>(() => _table.Insert((Item<TKey>)null!));
}
