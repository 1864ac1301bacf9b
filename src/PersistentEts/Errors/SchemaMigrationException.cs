namespace PersistentEts;

/// <summary>
/// A file's schema version cannot be brought to the version the table asks for: a migration step is
/// missing, a step failed on an object, the file was written by a newer version, or a custom codec was
/// asked to migrate. Nothing was loaded and the file is unchanged.
/// </summary>
public sealed class SchemaMigrationException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public SchemaMigrationException(string path, int fileVersion, int tableVersion, string problem, Exception? inner = null)
        : base($"File '{path}' (schema version {fileVersion}) cannot be opened at schema version {tableVersion}: {problem}. Nothing was loaded.", inner)
    {
        FilePath = path;
        FileVersion = fileVersion;
        TableVersion = tableVersion;
    }

    /// <summary>The snapshot or log segment involved.</summary>
    public string FilePath { get; }

    /// <summary>The schema version the file was written at.</summary>
    public int FileVersion { get; }

    /// <summary>The schema version the table asked for.</summary>
    public int TableVersion { get; }
}
