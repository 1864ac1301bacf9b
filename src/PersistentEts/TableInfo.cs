namespace PersistentEts;

/// <summary>
/// What <c>ets:info/1</c> reports about a table, as of the moment it was taken.
/// </summary>
/// <param name="Id">A process-unique id (the counterpart of a tid).</param>
/// <param name="Name">The table's current name.</param>
/// <param name="Type">The table type.</param>
/// <param name="Protection">Who may read and write.</param>
/// <param name="NamedTable">Whether the name is registered for <see cref="Ets.Whereis{TKey, TObject}(string)"/>.</param>
/// <param name="Size">Number of objects (not keys) in the table.</param>
/// <param name="Memory">An estimate of the bytes the table's own structures use; objects' own payloads are not counted.</param>
/// <param name="Owner">The id of the owner handle (the counterpart of the owner pid).</param>
/// <param name="HasHeir">Whether an heir is set.</param>
/// <param name="Key">A description of the key, e.g. <c>r => r.Id</c> (the counterpart of <c>keypos</c>).</param>
/// <param name="KeyType">The key's .NET type.</param>
/// <param name="ObjectType">The stored objects' .NET type.</param>
/// <param name="Options">The options the table was created with.</param>
public sealed record TableInfo(
    long Id,
    string Name,
    TableType Type,
    TableProtection Protection,
    bool NamedTable,
    long Size,
    long Memory,
    long Owner,
    bool HasHeir,
    string Key,
    Type KeyType,
    Type ObjectType,
    TableOptions Options);
