namespace PersistentEts.Cli;

/// <summary>The process exit codes of <c>pets</c> (documented in the README).</summary>
internal static class ExitCodes
{
    /// <summary>Success: the file is good, or the command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command line was wrong (System.CommandLine's own code for parse errors).</summary>
    public const int Usage = 1;

    /// <summary>The file is damaged, truncated, foreign, or from a newer format version.</summary>
    public const int Damaged = 2;

    /// <summary>The file could not be read (missing, no permission, I/O error).</summary>
    public const int Unreadable = 3;

    /// <summary>The demo did not end as expected.</summary>
    public const int DemoFailed = 4;
}
