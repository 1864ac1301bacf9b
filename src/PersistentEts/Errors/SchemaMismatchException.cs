namespace PersistentEts;

/// <summary>
/// A snapshot's or log segment's stored type changed shape since the file was written, in a way that would lose or invent
/// data if loaded: members the file holds that the type lacks (their values would be dropped), members
/// the type requires that the file lacks (they would load as null or default), or members whose type
/// changed, or an object whose stored value does not fit its member's type (naming the object, the member, the
/// stored value and the expected type). Nothing was loaded. The message names the file and every difference; see
/// <c>docs/schema-evolution.md</c> for the safe changes and the options.
/// </summary>
public sealed class SchemaMismatchException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException(string path, string typeName, IReadOnlyList<string> differences)
        : base($"File '{path}' holds {typeName} objects of another shape than the type now has: " +
               string.Join("; ", differences) + ". Nothing was loaded.")
    {
        FilePath = path;
        Differences = differences;
    }

    /// <summary>The snapshot or log segment involved.</summary>
    public string FilePath { get; }

    /// <summary>Each difference, naming the member (as <c>Type.Member</c>) and what changed.</summary>
    public IReadOnlyList<string> Differences { get; }
}
