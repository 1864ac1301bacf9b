namespace PersistentEts.Bench;

/// <summary>The fixed benchmark row: Id = i, Name = "name-" + i, Count = 7·i, a 64-byte payload.</summary>
public sealed record Row(int Id, string Name, long Count, byte[] Payload)
{
    public static Row Make(int i) => new(i, "name-" + i, 7L * i, new byte[64]);

    public static Row[] MakeAll(int n)
    {
        var rows = new Row[n];
        for (var i = 0; i < n; i++) rows[i] = Make(i);
        return rows;
    }
}
