namespace PersistentEts.Tests.Tables;

/// <summary>A null key is refused by every table type, on writes and reads alike (reference-type keys only can be null).</summary>
public sealed class NullKeyTests
{
    public sealed record Item(string Key, int Value);

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public void ANullKey_IsRefusedWithATypedError(TableType type)
    {
        using var table = Ets.New("nulls", (Item i) => i.Key, new TableOptions { Type = type });
        Assert.Throws<EtsArgumentException>(() => table.Insert(new Item(null!, 1)));
        Assert.Throws<EtsArgumentException>(() => table.Lookup(null!));
        Assert.Equal(0, table.Count);
    }
}
