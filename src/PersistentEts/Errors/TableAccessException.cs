namespace PersistentEts;

/// <summary>
/// The handle used has no right to do this: a write through a protected table's read-only
/// handle, any access to a private table from a non-owner, or an owner-only operation
/// (give-away, heir, destroy) from a handle that does not own the table.
/// </summary>
public sealed class TableAccessException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public TableAccessException(string message) : base(message) { }
}
