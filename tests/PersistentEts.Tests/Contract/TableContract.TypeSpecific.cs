namespace PersistentEts.Tests.Contract;

public abstract partial class TableContract<TKey>
{
    [Fact]
    public void UpdateCounter_IncrementsOnSets_AndIsRefusedOnBags()
    {
        _table.Insert(new Item<TKey>(K(1), 0, Hits: 5));
        if (IsBag)
        {
            Assert.Throws<TableTypeException>(() => _table.UpdateCounter(K(1), Hits, 1));
            return;
        }
        Assert.Equal(8, _table.UpdateCounter(K(1), Hits, 3));
        Assert.Equal(8, _table.Lookup(K(1))[0].Hits);
    }

    [Fact]
    public void UpdateCounter_WithThreshold_SetsTheValue()
    {
        if (IsBag) return;
        _table.Insert(new Item<TKey>(K(1), 0, Hits: 9));
        Assert.Equal(0, _table.UpdateCounter(K(1), Hits, new CounterOp(2, Threshold: 10, SetValue: 0)));
        Assert.Equal(-1, _table.UpdateCounter(K(1), Hits, new CounterOp(-1, Threshold: 5, SetValue: -1)));
    }

    [Fact]
    public void UpdateCounter_MissingKey_UsesDefaultOrThrows()
    {
        if (IsBag) return;
        Assert.Throws<EtsKeyNotFoundException>(() => _table.UpdateCounter(K(1), Hits, 1));
        Assert.Equal(11, _table.UpdateCounter(K(1), Hits, 1, new Item<TKey>(K(1), 0, Hits: 10)));
        Assert.Equal(1, _table.Count);
    }

    [Fact]
    public void UpdateCounters_AppliesEveryOperationAtomically()
    {
        if (IsBag) return;
        var value = new CounterField<Item<TKey>>(i => i.Value, (i, v) => i with { Value = (int)v });
        _table.Insert(new Item<TKey>(K(1), 1, Hits: 1));
        Assert.Equal([3L, 11L], _table.UpdateCounters(K(1), [new(Hits, 2), new(value, 10)]));
        Assert.Equal(new Item<TKey>(K(1), 11, 3), _table.Lookup(K(1))[0]);
    }

    [Fact]
    public void UpdateElement_ReplacesButNeverChangesTheKey()
    {
        if (IsBag)
        {
            Assert.Throws<TableTypeException>(() => _table.UpdateElement(K(1), i => i));
            return;
        }
        Assert.False(_table.UpdateElement(K(1), i => i with { Value = 5 }));
        _table.Insert(new Item<TKey>(K(1), 1));
        Assert.True(_table.UpdateElement(K(1), i => i with { Value = 5 }));
        Assert.Equal(5, _table.Lookup(K(1))[0].Value);
        Assert.Throws<EtsArgumentException>(() => _table.UpdateElement(K(1), i => i with { Key = K(2) }));
    }

    [Fact]
    public void AddOrUpdate_IsAReadModifyWrite()
    {
        if (IsBag) return;
        Assert.Equal(1, _table.AddOrUpdate(K(1), k => new Item<TKey>(k, 1), (_, i) => i with { Value = i.Value + 1 }).Value);
        Assert.Equal(2, _table.AddOrUpdate(K(1), k => new Item<TKey>(k, 1), (_, i) => i with { Value = i.Value + 1 }).Value);
    }

    [Fact]
    public void SelectReverse_IsOrderedSetOnly()
    {
        var spec = MatchSpec.Create<Item<TKey>>(i => true);
        if (Type != TableType.OrderedSet)
        {
            var e = Assert.Throws<TableTypeException>(() => _table.SelectReverse(spec));
            Assert.Contains("ordered_set", e.Message);
            return;
        }
        _table.Insert(Enumerable.Range(0, 10).Select(i => new Item<TKey>(K(i), i)));
        var keys = _table.SelectReverse(spec).Select(i => i.Key).ToList();
        Assert.Equal(_table.ToList().Select(i => i.Key).Reverse(), keys);
    }

    [Fact]
    public void DuplicateBag_DeleteObject_RemovesEveryCopy()
    {
        if (Type != TableType.DuplicateBag) return;
        _table.Insert([new Item<TKey>(K(1), 1), new Item<TKey>(K(1), 2), new Item<TKey>(K(1), 1)]);
        Assert.True(_table.DeleteObject(new Item<TKey>(K(1), 1)));
        Assert.Equal([2], _table.Lookup(K(1)).Select(i => i.Value));
    }

    [Fact]
    public void Bags_KeepInsertionOrderUnderAKey()
    {
        if (!IsBag) return;
        _table.Insert(new Item<TKey>(K(1), 3));
        _table.Insert(new Item<TKey>(K(1), 1));
        _table.Insert(new Item<TKey>(K(1), 2));
        Assert.Equal([3, 1, 2], _table.Lookup(K(1)).Select(i => i.Value));
    }
}

public sealed class SetIntTests : TableContract<int>
{
    protected override TableType Type => TableType.Set;
    protected override int K(int i) => i;
}

public sealed class SetStringTests : TableContract<string>
{
    protected override TableType Type => TableType.Set;
    protected override string K(int i) => $"k{i}";
}

public sealed class OrderedSetIntTests : TableContract<int>
{
    protected override TableType Type => TableType.OrderedSet;
    protected override int K(int i) => i;
}

public sealed class OrderedSetStringTests : TableContract<string>
{
    protected override TableType Type => TableType.OrderedSet;
    protected override string K(int i) => $"k{i:D5}";
}

public sealed class BagIntTests : TableContract<int>
{
    protected override TableType Type => TableType.Bag;
    protected override int K(int i) => i;
}

public sealed class BagStringTests : TableContract<string>
{
    protected override TableType Type => TableType.Bag;
    protected override string K(int i) => $"k{i}";
}

public sealed class DuplicateBagIntTests : TableContract<int>
{
    protected override TableType Type => TableType.DuplicateBag;
    protected override int K(int i) => i;
}

public sealed class DuplicateBagStringTests : TableContract<string>
{
    protected override TableType Type => TableType.DuplicateBag;
    protected override string K(int i) => $"k{i}";
}
