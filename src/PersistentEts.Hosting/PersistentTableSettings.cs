using PersistentEts.Persistence;

namespace PersistentEts.Hosting;

/// <summary>
/// The configuration-bindable settings of one hosted persistent table, read from
/// <c>PersistentEts:Tables:{name}</c> (then adjusted by the <c>configure</c> callback, if any).
/// </summary>
/// <example><code>
/// "PersistentEts": { "Tables": { "sessions": { "Path": "data/sessions.pets", "PersistEverySeconds": 2, "Durability": "Log" } } }
/// </code></example>
public sealed class PersistentTableSettings
{
    /// <summary>The snapshot file. Required.</summary>
    public string? Path { get; set; }

    /// <summary>The table type. Default <see cref="TableType.Set"/>.</summary>
    public TableType Type { get; set; } = TableType.Set;

    /// <summary>Who may write. Default <see cref="TableProtection.Public"/>, since DI hands the table to many services.</summary>
    public TableProtection Protection { get; set; } = TableProtection.Public;

    /// <summary>Seconds between saves when changed. Default 5, as in the seed.</summary>
    public double PersistEverySeconds { get; set; } = 5;

    /// <summary>Snapshots only, or snapshots plus a write-ahead log.</summary>
    public DurabilityMode Durability { get; set; } = DurabilityMode.Snapshot;

    /// <summary>When the log is fsynced, with <see cref="DurabilityMode.Log"/>.</summary>
    public LogSync LogSync { get; set; } = LogSync.Always;

    /// <summary>Milliseconds between log fsyncs with <see cref="LogSync.Interval"/>. Default 100.</summary>
    public double LogSyncIntervalMilliseconds { get; set; } = 100;

    /// <summary>LZ4-compress snapshots.</summary>
    public bool Compress { get; set; }

    /// <summary>
    /// A remote store for the table's snapshots and its lease (see docs/remote.md), set in code through the
    /// <c>configure</c> callback, since a store is an object (e.g. <c>AzureBlobTableStore</c>), not a setting.
    /// The health check reports the table Degraded while its remote store is behind.
    /// </summary>
    public Persistence.Remote.RemoteOptions? Remote { get; set; }

    internal PersistentTableOptions ToOptions(Microsoft.Extensions.Logging.ILogger logger) => new()
    {
        Table = new TableOptions { Type = Type, Protection = Protection },
        PersistEvery = Duration(PersistEverySeconds * 1000, nameof(PersistEverySeconds)),
        Durability = Durability,
        LogSync = LogSync,
        LogSyncInterval = Duration(LogSyncIntervalMilliseconds, nameof(LogSyncIntervalMilliseconds)),
        Write = new SnapshotWriteOptions { Compress = Compress },
        Remote = Remote,
        Logger = logger,
    };

    // Configuration may hold any number; one a TimeSpan cannot take is refused by name, as the library's own
    // options are (their ranges are checked by PersistentTableOptions.Validate).
    private static TimeSpan Duration(double milliseconds, string setting) =>
        double.IsFinite(milliseconds) && Math.Abs(milliseconds) < TimeSpan.MaxValue.TotalMilliseconds / 2
            ? TimeSpan.FromMilliseconds(milliseconds)
            : throw new EtsArgumentException(setting, $"{setting} must be a finite number of a sensible size, not {milliseconds}.");
}
