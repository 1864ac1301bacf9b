namespace PersistentEts.Tests.Tables;

public sealed class ValidationTests
{
    public sealed record Row(int Id, string Text);

    public sealed class MutableRow
    {
        public int Id { get; set; }
    }

    public sealed record FieldRow(int Id)
    {
        public int Hits;
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void New_WithBlankName_IsRefused(string? name) =>
        Assert.Throws<EtsArgumentException>(() => Ets.New(name!, (Row r) => r.Id));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(8192)]
    public void Options_WithBadLockStripes_AreRefused(int stripes)
    {
        var e = Assert.Throws<EtsArgumentException>(() => Ets.New("t", (Row r) => r.Id, new TableOptions { LockStripes = stripes }));
        Assert.Equal("LockStripes", e.ParamName);
    }

    [Fact]
    public void Options_WithUnknownType_AreRefused()
    {
        var e = Assert.Throws<EtsArgumentException>(() => Ets.New("t", (Row r) => r.Id, new TableOptions { Type = (TableType)42 }));
        Assert.Equal("Type", e.ParamName);
    }

    [Fact]
    public void Options_WithUnknownProtection_AreRefused()
    {
        var e = Assert.Throws<EtsArgumentException>(() => Ets.New("t", (Row r) => r.Id, new TableOptions { Protection = (TableProtection)9 }));
        Assert.Equal("Protection", e.ParamName);
    }

    [Fact]
    public void MutableStoredTypes_AreRefusedUnlessAllowed()
    {
        var e = Assert.Throws<EtsArgumentException>(() => Ets.New("t", (MutableRow r) => r.Id));
        Assert.Contains("Id", e.Message);
        Assert.Throws<EtsArgumentException>(() => Ets.New("t", (FieldRow r) => r.Id));
        Assert.Throws<EtsArgumentException>(() => Ets.New("t", (int[] r) => r[0]));
        using var allowed = Ets.New("t", (MutableRow r) => r.Id, new TableOptions { AllowMutableObjects = true });
    }

    [Fact]
    public void ForeignContinuation_IsRefused()
    {
        using var a = Ets.New("a", (Row r) => r.Id);
        using var b = Ets.New("b", (Row r) => r.Id);
        a.Insert(Enumerable.Range(0, 10).Select(i => new Row(i, "")));
        var page = a.Select(MatchSpec.Create<Row>(r => true), 2);
        Assert.Throws<EtsArgumentException>(() => b.Select(page.Continuation!));
    }

    [Fact]
    public void CounterOverflow_IsATypedError_AndChangesNothing()
    {
        using var t = Ets.New("c", (Row r) => r.Id);
        var field = new CounterField<Row>(r => r.Id == 1 ? long.MaxValue : 0, (r, _) => r);
        t.Insert(new Row(1, "a"));
        Assert.Throws<EtsArgumentException>(() => t.UpdateCounter(1, field, 1));
        Assert.Equal("a", t.Lookup(1)[0].Text);
    }

    [Fact]
    public void AllExceptions_ShareTheLibraryBaseType()
    {
        Type[] types = [typeof(EtsArgumentException), typeof(TableAccessException), typeof(TableDestroyedException),
            typeof(TableNameException), typeof(TableTypeException), typeof(EtsKeyNotFoundException)];
        Assert.All(types, t => Assert.True(t.IsSubclassOf(typeof(EtsException))));
    }
}
