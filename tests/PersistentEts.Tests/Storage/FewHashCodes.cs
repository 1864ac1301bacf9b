namespace PersistentEts.Tests.Storage;

/// <summary>
/// Integer keys with only <paramref name="count"/> hash codes (the key modulo the count), so keys collide
/// in every stripe and bucket and chains are long.
/// </summary>
internal sealed class FewHashCodes(int count) : IEqualityComparer<int>
{
    public bool Equals(int x, int y) => x == y;

    public int GetHashCode(int obj) => obj % count;
}
