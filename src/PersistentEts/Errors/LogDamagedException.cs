namespace PersistentEts;

/// <summary>
/// A write-ahead log segment is damaged before its end (not merely a torn last record), so replaying it
/// could skip acknowledged writes. The table refuses to open; <c>pets log repair FILE</c> truncates the log
/// to its last good record, accepting that loss.
/// </summary>
public sealed class LogDamagedException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public LogDamagedException(string path, long offset, string problem)
        : base($"Write-ahead log '{path}' is damaged at byte {offset}: {problem}. Repair it to open the table with the records before that point.")
    {
        FilePath = path;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The damaged segment file.</summary>
    public string FilePath { get; }

    /// <summary>Where the first bad record starts.</summary>
    public long Offset { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
