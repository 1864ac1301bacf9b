namespace PersistentEts.Tests.Tables;

public sealed class KeyValueTests
{
    [Fact]
    public void KeyValueTable_StoresPairs()
    {
        using var t = Ets.NewKeyValue<string, int>("kv");
        t.Insert(new KeyValuePair<string, int>("a", 1));
        Assert.Equal(1, t.Lookup("a")[0].Value);
        Assert.Equal("kv => kv.Key", t.Info().Key);
    }

    [Fact]
    public void KeyValueCounter_Increments()
    {
        using var t = Ets.NewKeyValue<string, long>("kvc");
        Assert.Equal(5, t.UpdateCounter("hits", 5, defaultValue: 0));
        Assert.Equal(7, t.UpdateCounter("hits", 2));
    }

    [Fact]
    public void KeyValueCounter_OnInt32Values_Increments_AndRefusesOverflowBeforeChanging()
    {
        using var t = Ets.NewKeyValue<string, int>("kvi");
        Assert.Equal(5, t.UpdateCounter("hits", 5, defaultValue: 0));
        Assert.Equal(7, t.UpdateCounter("hits", 2));
        t.Insert(new KeyValuePair<string, int>("max", int.MaxValue - 1));
        var e = Assert.Throws<EtsArgumentException>(() => t.UpdateCounter("max", 2));
        Assert.Contains("does not fit in a 32-bit integer", e.Message);
        Assert.Equal(int.MaxValue - 1, t.Lookup("max")[0].Value);
    }

    public sealed record Page(string Url, int Hits, long Bytes);

    [Fact]
    public void CounterFields_OfInt32AndInt64Members_UpdateTogether()
    {
        using var t = Ets.New("pages", (Page p) => p.Url);
        var hits = new CounterField<Page>(p => p.Hits, (p, v) => p with { Hits = v });
        var bytes = new CounterField<Page>(p => p.Bytes, (p, v) => p with { Bytes = v });
        Assert.Equal([1L, 512L], t.UpdateCounters("/", [new(hits, 1), new(bytes, 512)], new Page("/", 0, 0)));
        Assert.Equal(new Page("/", 1, 512), t.Lookup("/")[0]);
    }
}
