namespace PersistentEts;

/// <summary>The table was destroyed (its owner ended without an heir, or it was deleted) and can no longer be used.</summary>
public sealed class TableDestroyedException : EtsException
{
    /// <summary>Creates the exception for the named table.</summary>
    public TableDestroyedException(string tableName)
        : base($"Table '{tableName}' has been destroyed and can no longer be used.")
    {
        TableName = tableName;
    }

    /// <summary>The name of the destroyed table.</summary>
    public string TableName { get; }
}
