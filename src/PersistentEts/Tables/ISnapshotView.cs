namespace PersistentEts.Tables;

/// <summary>
/// A point-in-time view of a table being read out for a save. Dispose it to end the capture.
/// </summary>
internal interface ISnapshotView<TObject> : IDisposable
{
    /// <summary>How long writers were held back to fix the instant.</summary>
    TimeSpan Pause { get; }

    /// <summary>What the <c>atInstant</c> callback returned (the new log segment), or 0.</summary>
    long AtInstant { get; }

    /// <summary>The table's change counter at the instant.</summary>
    long ChangeCount { get; }

    /// <summary>Every object as of the instant, each exactly once. Enumerate once.</summary>
    IEnumerable<TObject> Objects();
}
