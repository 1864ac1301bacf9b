namespace PersistentEts.Tables;

/// <summary>
/// What a table core is built with besides its contents: its write-ahead log and its durable side, so a
/// core is complete when constructed and nothing is attached to it afterwards.
/// </summary>
/// <param name="Log">The write-ahead log, or null.</param>
/// <param name="Durability">
/// Makes the durable side for the core being built. Called once, at the end of the core's construction;
/// the result may keep the core but must not call into it until it is started.
/// </param>
internal sealed record TableWiring<TKey, TObject>(IChangeLog<TObject>? Log, Func<TableCore<TKey, TObject>, ITableDurability>? Durability)
    where TKey : notnull
{
    /// <summary>A plain in-memory table: no log, nothing saved.</summary>
    public static TableWiring<TKey, TObject> None { get; } = new(null, null);
}
