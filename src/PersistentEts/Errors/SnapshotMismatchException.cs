namespace PersistentEts;

/// <summary>
/// A snapshot file or log segment was written for a table with different semantics (type, key, stored type or codec)
/// than the one asked to open it. Performance-only options never cause this.
/// </summary>
public sealed class SnapshotMismatchException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotMismatchException(string path, string option, string inFile, string requested)
        : base($"File '{path}' was written with {option} = '{inFile}', but the table asks for '{requested}'.")
    {
        FilePath = path;
        Option = option;
        InFile = inFile;
        Requested = requested;
    }

    /// <summary>The file involved.</summary>
    public string FilePath { get; }

    /// <summary>The option that differs.</summary>
    public string Option { get; }

    /// <summary>The value recorded in the file.</summary>
    public string InFile { get; }

    /// <summary>The value the caller asked for.</summary>
    public string Requested { get; }
}
