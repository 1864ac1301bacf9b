namespace PersistentEts;

/// <summary>
/// A snapshot file was refused or could not be written: not a PersistentEts file, from a newer format
/// version, truncated, damaged (checksum), undecodable, or an I/O failure. The message names the file
/// and the problem; nothing was loaded from a refused file.
/// </summary>
public sealed class SnapshotFileException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotFileException(string path, string problem, long? offset = null, Exception? innerException = null)
        : base($"Snapshot file '{path}': {problem}{(offset is { } o ? $" (at byte {o})" : "")}.", innerException)
    {
        FilePath = path;
        Problem = problem;
        Offset = offset;
    }

    /// <summary>The file involved.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    /// <summary>The byte offset of the problem, when known.</summary>
    public long? Offset { get; }
}
