using PersistentEts.Persistence;

namespace PersistentEts.Crash;

/// <summary>The durability mode under test and the table options it stands for.</summary>
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
}

internal static class CrashModes
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromMilliseconds(50);

    public static PersistentTableOptions Options(this CrashMode mode) => mode switch
    {
        // Snapshot mode acknowledges only what a Flush saved; periodic saves run too, to be killed mid-save.
        CrashMode.Snapshot or CrashMode.UnsafeAck => new() { PersistEvery = TimeSpan.FromMilliseconds(100) },
        // Log modes also snapshot often, so kills land in rotations as well as in appends.
        CrashMode.WalAlways => new() { PersistEvery = TimeSpan.FromMilliseconds(150), Durability = DurabilityMode.Log, LogSync = LogSync.Always },
        _ => new() { PersistEvery = TimeSpan.FromMilliseconds(150), Durability = DurabilityMode.Log, LogSync = LogSync.Interval, LogSyncInterval = LogInterval },
    };

    public static CrashMode Parse(string s) => s switch
    {
        "snapshot" => CrashMode.Snapshot,
        "wal-always" => CrashMode.WalAlways,
        "wal-interval" => CrashMode.WalInterval,
        "unsafe-ack" => CrashMode.UnsafeAck,
        _ => throw new ArgumentException($"unknown mode '{s}' (snapshot, wal-always, wal-interval)"),
    };

    public static string Name(this CrashMode mode) => mode switch
    {
        CrashMode.Snapshot => "snapshot",
        CrashMode.WalAlways => "wal-always",
        CrashMode.UnsafeAck => "unsafe-ack",
        _ => "wal-interval",
    };
}

