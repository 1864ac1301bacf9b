namespace PersistentEts.Tests.Contract;

/// <summary>What only set and ordered_set do: counters, element updates, read-modify-writes.</summary>
public abstract class SetContract<TKey> : TableContract<TKey> where TKey : notnull
{
    [Fact]
    public void UpdateCounter_Increments()
    {
        Table.Insert(new Item<TKey>(K(1), 0, Hits: 5));
        Assert.Equal(8, Table.UpdateCounter(K(1), Hits, 3));
        Assert.Equal(8, Table.Lookup(K(1))[0].Hits);
    }

    [Fact]
    public void UpdateCounter_WithThreshold_SetsTheValue()
    {
        Table.Insert(new Item<TKey>(K(1), 0, Hits: 9));
        Assert.Equal(0, Table.UpdateCounter(K(1), Hits, new CounterOp(2, Threshold: 10, SetValue: 0)));
        Assert.Equal(-1, Table.UpdateCounter(K(1), Hits, new CounterOp(-1, Threshold: 5, SetValue: -1)));
    }

    [Fact]
    public void UpdateCounter_MissingKey_UsesDefaultOrThrows()
    {
        Assert.Throws<EtsKeyNotFoundException>(() => Table.UpdateCounter(K(1), Hits, 1));
        Assert.Equal(11, Table.UpdateCounter(K(1), Hits, 1, new Item<TKey>(K(1), 0, Hits: 10)));
        Assert.Equal(1, Table.Count);
    }

    [Fact]
    public void UpdateCounters_AppliesEveryOperationAtomically()
    {
        var value = new CounterField<Item<TKey>>(i => i.Value, (i, v) => i with { Value = (int)v });
        Table.Insert(new Item<TKey>(K(1), 1, Hits: 1));
        Assert.Equal([3L, 11L], Table.UpdateCounters(K(1), [new(Hits, 2), new(value, 10)]));
        Assert.Equal(new Item<TKey>(K(1), 11, 3), Table.Lookup(K(1))[0]);
    }

    [Fact]
    public void UpdateCounters_WithADefault_StartFromIt_OnlyWhenTheKeyIsAbsent()
    {
        var value = new CounterField<Item<TKey>>(i => i.Value, (i, v) => i with { Value = (int)v });
        // ets:update_counter/4 with a list of operations.
        Assert.Equal([7L, 25L], Table.UpdateCounters(K(1), [new(Hits, 2), new(value, 5)], new Item<TKey>(K(1), 20, Hits: 5)));
        Assert.Equal(new Item<TKey>(K(1), 25, 7), Table.Lookup(K(1))[0]);
        Assert.Equal([8L, 26L], Table.UpdateCounters(K(1), [new(Hits, 1), new(value, 1)], new Item<TKey>(K(1), 0, Hits: 0)));
        Assert.Equal(1, Table.Count);
    }

    [Fact]
    public void UpdateCounter_WithADefaultOfAnotherKey_IsRefused_AndInsertsNothing()
    {
        // ETS would put the asked-for key into the default; an object's key cannot be set here (see the mapping).
        var e = Assert.Throws<EtsArgumentException>(() => Table.UpdateCounter(K(1), Hits, 1, new Item<TKey>(K(2), 0)));
        Assert.Contains("default object", e.Message);
        Assert.Equal(0, Table.Count);
    }

    [Fact]
    public void UpdateElement_ReplacesButNeverChangesTheKey()
    {
        Assert.False(Table.UpdateElement(K(1), i => i with { Value = 5 }));
        Table.Insert(new Item<TKey>(K(1), 1));
        Assert.True(Table.UpdateElement(K(1), i => i with { Value = 5 }));
        Assert.Equal(5, Table.Lookup(K(1))[0].Value);
        Assert.Throws<EtsArgumentException>(() => Table.UpdateElement(K(1), i => i with { Key = K(2) }));
    }

    [Fact]
    public void AddOrUpdate_IsAReadModifyWrite()
    {
        Assert.Equal(1, Table.AddOrUpdate(K(1), k => new Item<TKey>(k, 1), (_, i) => i with { Value = i.Value + 1 }).Value);
        Assert.Equal(2, Table.AddOrUpdate(K(1), k => new Item<TKey>(k, 1), (_, i) => i with { Value = i.Value + 1 }).Value);
    }
}

/// <summary>A set: hashed, so no reverse order.</summary>
public abstract class HashedSetContract<TKey> : SetContract<TKey> where TKey : notnull
{
    protected override TableType Type => TableType.Set;

    [Fact]
    public void SelectReverse_IsRefused_NamingOrderedSet() =>
        Assert.Contains("ordered_set", Assert.Throws<TableTypeException>(() => Table.SelectReverse(MatchSpec.Create<Item<TKey>>(i => true))).Message);
}

/// <summary>An ordered_set: keys in order, both ways.</summary>
public abstract class OrderedSetContract<TKey> : SetContract<TKey> where TKey : notnull
{
    protected override TableType Type => TableType.OrderedSet;

    [Fact]
    public void SelectReverse_GoesInDescendingKeyOrder()
    {
        Table.Insert(Enumerable.Range(0, 10).Select(i => new Item<TKey>(K(i), i)));
        var keys = Table.SelectReverse(MatchSpec.Create<Item<TKey>>(i => true)).Select(i => i.Key).ToList();
        Assert.Equal(Table.ToList().Select(i => i.Key).Reverse(), keys);
    }
}

/// <summary>What bag and duplicate_bag do, and the set-only operations they refuse.</summary>
public abstract class BagContract<TKey> : TableContract<TKey> where TKey : notnull
{
    [Fact]
    public void SetOnlyOperations_AreRefused_WithATypedError()
    {
        Table.Insert(new Item<TKey>(K(1), 0, Hits: 5));
        Assert.Throws<TableTypeException>(() => Table.UpdateCounter(K(1), Hits, 1));
        Assert.Throws<TableTypeException>(() => Table.UpdateCounters(K(1), [new(Hits, 1)], new Item<TKey>(K(1), 0)));
        Assert.Throws<TableTypeException>(() => Table.UpdateElement(K(1), i => i));
        Assert.Throws<TableTypeException>(() => Table.AddOrUpdate(K(1), k => new Item<TKey>(k, 1), (_, i) => i));
        Assert.Equal(5, Table.Lookup(K(1)).Single().Hits);
    }

    [Fact]
    public void SelectReverse_IsRefused_NamingOrderedSet() =>
        Assert.Contains("ordered_set", Assert.Throws<TableTypeException>(() => Table.SelectReverse(MatchSpec.Create<Item<TKey>>(i => true))).Message);

    [Fact]
    public void Bags_KeepInsertionOrderUnderAKey()
    {
        Table.Insert(new Item<TKey>(K(1), 3));
        Table.Insert(new Item<TKey>(K(1), 1));
        Table.Insert(new Item<TKey>(K(1), 2));
        Assert.Equal([3, 1, 2], Table.Lookup(K(1)).Select(i => i.Value));
    }
}

/// <summary>A duplicate_bag: equal objects kept as often as inserted.</summary>
public abstract class DuplicateBagContract<TKey> : BagContract<TKey> where TKey : notnull
{
    protected override TableType Type => TableType.DuplicateBag;

    [Fact]
    public void DeleteObject_RemovesEveryCopy()
    {
        Table.Insert([new Item<TKey>(K(1), 1), new Item<TKey>(K(1), 2), new Item<TKey>(K(1), 1)]);
        Assert.True(Table.DeleteObject(new Item<TKey>(K(1), 1)));
        Assert.Equal([2], Table.Lookup(K(1)).Select(i => i.Value));
    }
}

public sealed class SetIntTests : HashedSetContract<int>
{
    protected override int K(int i) => i;
}

public sealed class SetStringTests : HashedSetContract<string>
{
    protected override string K(int i) => $"k{i}";
}

public sealed class OrderedSetIntTests : OrderedSetContract<int>
{
    protected override int K(int i) => i;
}

public sealed class OrderedSetStringTests : OrderedSetContract<string>
{
    protected override string K(int i) => $"k{i:D5}";
}

public sealed class BagIntTests : BagContract<int>
{
    protected override TableType Type => TableType.Bag;

    protected override int K(int i) => i;
}

public sealed class BagStringTests : BagContract<string>
{
    protected override TableType Type => TableType.Bag;

    protected override string K(int i) => $"k{i}";
}

public sealed class DuplicateBagIntTests : DuplicateBagContract<int>
{
    protected override int K(int i) => i;
}

public sealed class DuplicateBagStringTests : DuplicateBagContract<string>
{
    protected override string K(int i) => $"k{i}";
}
