namespace PersistentEts.Persistence;

/// <summary>What a persistent table does to survive a crash.</summary>
public enum DurabilityMode
{
    /// <summary>
    /// Periodic snapshots only (the seed's behaviour, the default): a crash loses what was written since the
    /// last save — at most <see cref="PersistentTableOptions.PersistEvery"/> plus the save's own duration.
    /// </summary>
    Snapshot,

    /// <summary>
    /// Snapshots plus a write-ahead log of every change; what it can lose depends on <see cref="LogSync"/>.
    /// </summary>
    Log,
}

/// <summary>When the write-ahead log is made durable (see docs/durability.md).</summary>
public enum LogSync
{
    /// <summary>
    /// A write returns only after its log record is fsynced; concurrent writers share fsyncs (group
    /// commit). Loses nothing acknowledged, even on power loss.
    /// </summary>
    Always,

    /// <summary>
    /// A write returns once its record is in the operating system; the log is fsynced every
    /// <see cref="PersistentTableOptions.LogSyncInterval"/>. A process crash loses nothing acknowledged; a
    /// power loss loses at most the interval (plus one fsync).
    /// </summary>
    Interval,

    /// <summary>
    /// A write returns once its record is in the operating system; the operating system decides when it
    /// reaches the disk. A process crash loses nothing acknowledged; a power loss can lose anything not yet
    /// written back.
    /// </summary>
    None,
}
