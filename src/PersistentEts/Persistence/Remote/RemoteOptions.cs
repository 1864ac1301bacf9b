namespace PersistentEts.Persistence.Remote;

/// <summary>
/// A persistent table whose snapshots are also kept in a remote store (<see cref="PersistentTableOptions.Remote"/>):
/// each snapshot is uploaded once it is durable locally, the table is owned through a lease in the store,
/// and a machine with an empty or stale directory restores the table from it.
/// </summary>
public sealed record RemoteOptions
{
    /// <summary>The store (e.g. <c>AzureBlobTableStore</c> from <c>PersistentEts.Azure</c>).</summary>
    public required IRemoteTableStore Store { get; init; }

    /// <summary>Snapshot generations kept in the store, the current one included (at least 1). Default 3.</summary>
    public int KeepGenerations { get; init; } = 3;

    /// <summary>
    /// How long the lease lasts unless renewed; it is renewed every third of it. After an owner dies, another
    /// may take the table within this time. Between 15 and 60 seconds (what blob leases allow). Default 30 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With <see cref="DurabilityMode.Log"/>: when a write's record reaches the store.
    /// <see cref="PersistentEts.Persistence.LogSync.Always"/> (the default): before the write returns, shared
    /// by the writers waiting at the time (group commit), so a lost machine loses nothing acknowledged.
    /// <see cref="PersistentEts.Persistence.LogSync.Interval"/>: every <see cref="LogSyncInterval"/>, in the
    /// background; a lost machine loses at most that plus one append. <see cref="PersistentEts.Persistence.LogSync.None"/>:
    /// the log stays local and the store gets snapshots only. See docs/remote.md.
    /// </summary>
    public LogSync LogSync { get; init; } = LogSync.Always;

    /// <summary>With <see cref="LogSync"/> <c>Interval</c>: how often records are shipped. Default 1 s.</summary>
    public TimeSpan LogSyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How this owner names itself to others refused by its lease. Default: machine name and process id.</summary>
    public string Holder { get; init; } = $"{Environment.MachineName} (process {Environment.ProcessId})";

    /// <summary>Refuses options that cannot work, naming the option.</summary>
    internal void Validate()
    {
        if (Store is null) Throw.Argument(nameof(PersistentTableOptions.Remote), "Remote options need a store (Remote.Store is null).");
        if (KeepGenerations < 1) Throw.Argument(nameof(KeepGenerations), $"KeepGenerations must be at least 1 (was {KeepGenerations}).");
        if (LeaseDuration < TimeSpan.FromSeconds(15) || LeaseDuration > TimeSpan.FromSeconds(60))
            Throw.Argument(nameof(LeaseDuration), $"LeaseDuration must be between 15 and 60 seconds (was {LeaseDuration}).");
        if (string.IsNullOrWhiteSpace(Holder)) Throw.Argument(nameof(Holder), "Holder must name this owner.");
        if (!Enum.IsDefined(LogSync)) Throw.Argument(nameof(LogSync), $"Unknown remote log sync policy {(int)LogSync}.");
        if (LogSyncInterval <= TimeSpan.Zero || LogSyncInterval > TimeSpan.FromMinutes(10))
            Throw.Argument(nameof(LogSyncInterval), $"The remote LogSyncInterval must be more than zero and at most 10 minutes, not {LogSyncInterval}.");
    }
}
