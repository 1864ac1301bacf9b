namespace PersistentEts;

/// <summary>
/// A table's files already belong to another owner: a live table in this process, or another process
/// holding the file's lock. One owner per file, so that no two owners' saves and logs overwrite each other.
/// </summary>
public sealed class TableFileInUseException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public TableFileInUseException(string path, string holder, int? holderProcessId = null, string? holderTable = null)
        : base($"Table file '{path}' is in use by {holder}; a table's files have one owner at a time.")
    {
        FilePath = path;
        HolderProcessId = holderProcessId;
        HolderTable = holderTable;
    }

    /// <summary>The snapshot file.</summary>
    public string FilePath { get; }

    /// <summary>The process that holds the file, when known.</summary>
    public int? HolderProcessId { get; }

    /// <summary>The table that holds the file, when it is in this process.</summary>
    public string? HolderTable { get; }
}
