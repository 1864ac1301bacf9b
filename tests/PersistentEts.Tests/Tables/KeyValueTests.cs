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
}
