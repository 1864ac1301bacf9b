namespace PersistentEts.Tests.Tables;

public sealed class RegistryTests
{
    public sealed record Row(int Id, string Text);

    private static string UniqueName() => $"reg-{Guid.NewGuid():N}";

    [Fact]
    public void NamedTable_IsFoundByWhereis()
    {
        var name = UniqueName();
        using var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        table.Insert(new Row(1, "a"));
        Assert.Single(Ets.Whereis<int, Row>(name).Lookup(1));
        Assert.True(Ets.IsRegistered(name));
    }

    [Fact]
    public void TryWhereis_FindsALiveNamedTable_SaysFalseForAnAbsentOne_AndThrowsForOtherTypes()
    {
        var name = UniqueName();
        Assert.False(Ets.TryWhereis<int, Row>(name, out var none));
        Assert.Null(none);
        var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        table.Insert(new Row(1, "a"));
        Assert.True(Ets.TryWhereis<int, Row>(name, out var found));
        Assert.Equal("a", found.Lookup(1)[0].Text);
        Assert.Throws<TableNameException>(() => Ets.TryWhereis<string, Row>(name, out _));
        table.Dispose();
        Assert.False(Ets.TryWhereis<int, Row>(name, out _));
    }

    [Fact]
    public void NamedTable_NameCannotBeTakenTwice()
    {
        var name = UniqueName();
        using var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        var e = Assert.Throws<TableNameException>(() => Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true }));
        Assert.Contains(name, e.Message);
        using var unnamed = Ets.New(name, (Row r) => r.Id); // unnamed tables may share a name
    }

    [Fact]
    public void Whereis_UnknownName_OrWrongTypes_IsATypedError()
    {
        Assert.Throws<TableNameException>(() => Ets.Whereis<int, Row>(UniqueName()));
        var name = UniqueName();
        using var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        var e = Assert.Throws<TableNameException>(() => Ets.Whereis<string, Row>(name));
        Assert.Contains("String", e.Message);
    }

    [Fact]
    public void WhereisWritable_OnlyForPublicTables()
    {
        var name = UniqueName();
        using var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        Assert.Throws<TableAccessException>(() => Ets.WhereisWritable<int, Row>(name));
    }

    [Fact]
    public void Rename_MovesTheRegistration()
    {
        var name = UniqueName();
        var newName = UniqueName();
        using var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        table.Rename(newName);
        Assert.Equal(newName, table.Name);
        Assert.False(Ets.IsRegistered(name));
        Assert.NotNull(Ets.Whereis<int, Row>(newName));
    }

    [Fact]
    public void Rename_ToATakenName_IsRefused()
    {
        var a = UniqueName();
        var b = UniqueName();
        using var ta = Ets.New(a, (Row r) => r.Id, new TableOptions { NamedTable = true });
        using var tb = Ets.New(b, (Row r) => r.Id, new TableOptions { NamedTable = true });
        Assert.Throws<TableNameException>(() => ta.Rename(b));
        Assert.Equal(a, ta.Name);
    }

    [Fact]
    public void DestroyedTable_LeavesTheRegistryAndAll()
    {
        var name = UniqueName();
        var table = Ets.New(name, (Row r) => r.Id, new TableOptions { NamedTable = true });
        var id = table.Info().Id;
        Assert.Contains(Ets.All(), i => i.Id == id);
        table.Dispose();
        Assert.False(Ets.IsRegistered(name));
        Assert.DoesNotContain(Ets.All(), i => i.Id == id);
    }
}
