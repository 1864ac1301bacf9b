namespace PersistentEts;

/// <summary>
/// A named-table lookup failed: the name is unknown, already taken by another named table,
/// or registered with different key or object types than asked for.
/// </summary>
public sealed class TableNameException : EtsException
{
    /// <summary>Creates the exception for the given name.</summary>
    public TableNameException(string tableName, string message) : base(message)
    {
        TableName = tableName;
    }

    /// <summary>The table name involved.</summary>
    public string TableName { get; }
}
