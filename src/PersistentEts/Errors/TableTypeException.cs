namespace PersistentEts;

/// <summary>
/// The operation does not exist for this table type, as in ETS: for example
/// <c>SelectReverse</c> on a hashed table, or <c>UpdateCounter</c> on a bag.
/// </summary>
public sealed class TableTypeException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public TableTypeException(string operation, TableType type, string allowed)
        : base($"{operation} is not supported on a {type.ToEtsName()} table; it needs {allowed}.")
    {
        Operation = operation;
        TableType = type;
    }

    /// <summary>The operation that was refused.</summary>
    public string Operation { get; }

    /// <summary>The type of the table it was called on.</summary>
    public TableType TableType { get; }
}
