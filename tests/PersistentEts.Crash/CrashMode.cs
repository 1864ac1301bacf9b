using PersistentEts.Persistence;

namespace PersistentEts.Crash;

/// <summary>The durability mode (or misuse) under test and the table options it stands for.</summary>
internal enum CrashMode
{
    Snapshot,
    WalAlways,
    WalInterval,

    /// <summary>
    /// A negative control: snapshot durability, but every insert acknowledged at once, before any save.
    /// The harness must report lost acknowledged writes here, or it is not looking.
    /// </summary>
    UnsafeAck,

    /// <summary>
    /// Writers racing the owner's end (dispose, lifetime token, delete, process exit), each insert
    /// acknowledged when it returns, in snapshot, log-always and log-interval durability in turn. The child
    /// is not killed: it ends its table and exits.
    /// </summary>
    DisposeRace,

    /// <summary>
    /// The harness itself tries to open the table while the child writes to it: it must be refused every
    /// time, naming the child's process id; then the child is killed and checked as in wal-always.
    /// </summary>
    TwoOwners,

    /// <summary>
    /// The machine is lost, not just the process: log durability (Always) with the table's snapshots and
    /// log in Azure Blob Storage (<c>PETS_CRASH_AZURE</c>, a connection string). After each kill the
    /// writer's directory is deleted, its lease broken (the failover an orchestrator makes once the machine
    /// is gone; fencing keeps it safe if it is not), and the table is checked on a fresh directory, restored
    /// from the store alone.
    /// </summary>
    MachineLoss,

    /// <summary>
    /// Fencing across machines, as machine-loss but with the writer paused (SIGSTOP) past its lease instead
    /// of killed: the harness waits for the lease to lapse, takes the table on another directory and writes
    /// to it, then resumes the writer. Nothing the writer issues after it resumes may be acknowledged or
    /// reach the store; then it is killed and the table checked as in machine-loss.
    /// </summary>
    PausedOwner,

    /// <summary>
    /// As machine-loss, with the remote log shipped every <see cref="CrashModes.RemoteInterval"/> in the
    /// background: acknowledged writes may be lost with the machine, but only those of the last interval
    /// and append (<c>max_loss_ms</c>).
    /// </summary>
    MachineLossInterval,
}

internal static class CrashModes
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Machine-loss-interval: how often the remote log is shipped.</summary>
    public static readonly TimeSpan RemoteInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How a dispose-race child ends its table.</summary>
    public static readonly string[] Ends = ["dispose", "token", "delete", "exit"];

    /// <summary>The machine-loss table's folder in the store (set by the harness, passed to children in <c>PETS_CRASH_REMOTE</c>).</summary>
    public static string RemotePrefix { get; set; } = Environment.GetEnvironmentVariable("PETS_CRASH_REMOTE") ?? "crash";

    /// <summary>The remote modes' table type (set by the follow-promote harness per epoch, passed to children in <c>PETS_CRASH_TYPE</c>).</summary>
    public static TableType RemoteTableType { get; set; } =
        Enum.TryParse<TableType>(Environment.GetEnvironmentVariable("PETS_CRASH_TYPE"), out var type) ? type : TableType.Set;

    /// <summary>The machine-loss store's container, from <c>PETS_CRASH_AZURE</c>.</summary>
    public static global::Azure.Storage.Blobs.BlobContainerClient RemoteContainer() =>
        new(Environment.GetEnvironmentVariable("PETS_CRASH_AZURE")
            ?? throw new InvalidOperationException("machine-loss needs PETS_CRASH_AZURE, an Azure Storage connection string (e.g. Azurite's)"), "crash");

    public static PersistentTableOptions Options(this CrashMode mode, int variant = 0) => mode switch
    {
        CrashMode.MachineLoss or CrashMode.PausedOwner or CrashMode.MachineLossInterval => new()
        {
            Table = new TableOptions { Type = RemoteTableType },
            PersistEvery = TimeSpan.FromMilliseconds(300),
            Durability = DurabilityMode.Log,
            LogSync = LogSync.Always,
            Remote = new Persistence.Remote.RemoteOptions
            {
                Store = new PersistentEts.Azure.AzureBlobTableStore(RemoteContainer(), RemotePrefix),
                Holder = $"crash writer {Environment.ProcessId}",
                LeaseDuration = TimeSpan.FromSeconds(15),
                LogSync = mode == CrashMode.MachineLossInterval ? LogSync.Interval : LogSync.Always,
                LogSyncInterval = RemoteInterval,
            },
        },
        // Snapshot mode acknowledges only what a Flush saved; periodic saves run too, to be killed mid-save.
        CrashMode.Snapshot or CrashMode.UnsafeAck => new() { PersistEvery = TimeSpan.FromMilliseconds(100) },
        // Log modes also snapshot often, so kills land in rotations as well as in appends.
        CrashMode.WalAlways or CrashMode.TwoOwners => new() { PersistEvery = TimeSpan.FromMilliseconds(150), Durability = DurabilityMode.Log, LogSync = LogSync.Always },
        CrashMode.DisposeRace => (variant % 3) switch
        {
            0 => new() { PersistEvery = TimeSpan.FromMilliseconds(100) },
            1 => new() { PersistEvery = TimeSpan.FromMilliseconds(150), Durability = DurabilityMode.Log, LogSync = LogSync.Always },
            _ => new() { PersistEvery = TimeSpan.FromMilliseconds(150), Durability = DurabilityMode.Log, LogSync = LogSync.Interval, LogSyncInterval = LogInterval },
        },
        _ => new() { PersistEvery = TimeSpan.FromMilliseconds(150), Durability = DurabilityMode.Log, LogSync = LogSync.Interval, LogSyncInterval = LogInterval },
    };

    /// <summary>Whether the table lives in the store, each run on a machine of its own.</summary>
    public static bool IsRemote(this CrashMode mode) => mode is CrashMode.MachineLoss or CrashMode.PausedOwner or CrashMode.MachineLossInterval;

    /// <summary>Whether an insert is acknowledged as soon as it returns (otherwise only once a flush covers it).</summary>
    public static bool AcknowledgesOnReturn(this CrashMode mode) => mode is not CrashMode.Snapshot;

    public static CrashMode Parse(string s) => s switch
    {
        "snapshot" => CrashMode.Snapshot,
        "wal-always" => CrashMode.WalAlways,
        "wal-interval" => CrashMode.WalInterval,
        "unsafe-ack" => CrashMode.UnsafeAck,
        "dispose-race" => CrashMode.DisposeRace,
        "two-owners" => CrashMode.TwoOwners,
        "machine-loss" => CrashMode.MachineLoss,
        "paused-owner" => CrashMode.PausedOwner,
        "machine-loss-interval" => CrashMode.MachineLossInterval,
        _ => throw new ArgumentException($"unknown mode '{s}' (snapshot, wal-always, wal-interval, dispose-race, two-owners, machine-loss, machine-loss-interval, paused-owner, unsafe-ack)"),
    };

    public static string Name(this CrashMode mode) => mode switch
    {
        CrashMode.Snapshot => "snapshot",
        CrashMode.WalAlways => "wal-always",
        CrashMode.UnsafeAck => "unsafe-ack",
        CrashMode.DisposeRace => "dispose-race",
        CrashMode.TwoOwners => "two-owners",
        CrashMode.MachineLoss => "machine-loss",
        CrashMode.PausedOwner => "paused-owner",
        CrashMode.MachineLossInterval => "machine-loss-interval",
        _ => "wal-interval",
    };
}
