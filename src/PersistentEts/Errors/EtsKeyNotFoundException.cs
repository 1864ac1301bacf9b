namespace PersistentEts;

/// <summary>An operation that needs an existing key found none (ETS raises <c>badarg</c> here).</summary>
public sealed class EtsKeyNotFoundException : EtsException
{
    /// <summary>Creates the exception for a key of the named table.</summary>
    public EtsKeyNotFoundException(string tableName, object key)
        : base($"Key '{key}' is not in table '{tableName}'.")
    {
        Key = key;
    }

    /// <summary>The key that was not found.</summary>
    public object Key { get; }
}
