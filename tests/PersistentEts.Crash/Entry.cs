namespace PersistentEts.Crash;

/// <summary>What the writer stores: a key and a value derived from it, so a wrong value is detectable.</summary>
public sealed record Entry(long Key, long Value)
{
    public static Entry For(long key) => new(key, key * 7 + 3);
}
