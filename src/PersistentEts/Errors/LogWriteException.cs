namespace PersistentEts;

/// <summary>
/// A change could not be written to the write-ahead log: it cannot be encoded, it is larger than a log
/// record holds, or the log's file failed (disk full, I/O error). When thrown before the change was applied
/// (encoding, size, a log already failed) the table is unchanged. When thrown while waiting for a record to
/// become durable, the change is in memory but was not acknowledged. Writes are refused until a save of
/// the table succeeds and starts a fresh log segment.
/// </summary>
public sealed class LogWriteException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public LogWriteException(string path, string problem, Exception? innerException = null)
        : base($"Write-ahead log '{path}': {problem}.", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The log segment involved.</summary>
    public string FilePath { get; }

    /// <summary>What went wrong, without the file name.</summary>
    public string Problem { get; }
}
