using Microsoft.Extensions.Logging;

namespace PersistentEts.Persistence;

/// <summary>Options of a persistent table: the table's own options plus how and when it is saved.</summary>
public sealed record PersistentTableOptions
{
    /// <summary>The defaults: a protected set, saved every 5 seconds when changed.</summary>
    public static PersistentTableOptions Default { get; } = new();

    /// <summary>The table's options. Type, key and stored type must match an existing file; the rest never blocks a reopen.</summary>
    public TableOptions Table { get; init; } = TableOptions.Default;

    /// <summary>How often the table is saved if it changed (the seed's <c>persist_every</c>). Default 5 s.</summary>
    public TimeSpan PersistEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How saves are written. Periodic saves use it as is (synced by default); <c>Flush</c>, delete and
    /// owner-end saves always sync.
    /// </summary>
    public SnapshotWriteOptions Write { get; init; } = SnapshotWriteOptions.Default;

    /// <summary>How saves are written in the end: <see cref="Write"/>, compressed also when the table asks for it (<see cref="TableOptions.Compressed"/>, ETS <c>compressed</c>).</summary>
    internal SnapshotWriteOptions EffectiveWrite => Table.Compressed && !Write.Compress ? Write with { Compress = true } : Write;

    /// <summary>Snapshots only (default), or snapshots plus a write-ahead log.</summary>
    public DurabilityMode Durability { get; init; } = DurabilityMode.Snapshot;

    /// <summary>With <see cref="DurabilityMode.Log"/>: when log records are fsynced. Default <see cref="LogSync.Always"/>.</summary>
    public LogSync LogSync { get; init; } = LogSync.Always;

    /// <summary>With <see cref="LogSync.Interval"/>: how often the log is fsynced. Default 100 ms.</summary>
    public TimeSpan LogSyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The application's version of its stored type's schema, recorded in every snapshot (and shown by
    /// <c>pets info</c>) so a later version of the code can tell what wrote a file. Default 0.
    /// </summary>
    public int SchemaVersion { get; init; }

    /// <summary>
    /// Steps that upgrade stored objects from an older <see cref="SchemaVersion"/> to the next, on their raw
    /// member maps. A file written at an older version is read through the steps from its version up, its
    /// log too; the table then saves at once at the new version, and the old files are kept in
    /// <c>FILE.vN.bak/</c> beside it. A version with no step changes no object (the schema check still
    /// applies). See docs/schema-evolution.md.
    /// </summary>
    public IReadOnlyList<SchemaMigration> Migrations { get; init; } = [];

    /// <summary>
    /// Members the file holds that the stored type no longer has, which the caller agrees to drop, each as
    /// <c>Type.Member</c> (the type's name without namespace), e.g. <c>["Row.Nickname"]</c>. Without this, such
    /// a file is refused with <see cref="SchemaMismatchException"/> naming them (see docs/schema-evolution.md).
    /// </summary>
    public IReadOnlyCollection<string> AcceptDroppedMembers { get; init; } = [];

    /// <summary>Check block checksums when loading. Default true.</summary>
    public bool VerifyOnLoad { get; init; } = true;

    /// <summary>
    /// Unix permissions of the files the table creates (snapshot, log segments, lock and temporary files).
    /// Default owner read and write only (0600), as database servers create theirs; the process umask may
    /// remove more. Ignored on Windows.
    /// </summary>
    public UnixFileMode UnixCreateMode { get; init; } = IO.PhysicalFileSystem.OwnerOnly;

    /// <summary>
    /// A remote store that keeps the table's snapshots beyond this machine and owns the table through a
    /// lease (see docs/remote.md). Null (the default): the local directory only.
    /// </summary>
    public Remote.RemoteOptions? Remote { get; init; }

    /// <summary>Where save failures, recoveries and slow saves are logged. Default: nowhere.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Checks every option; throws <see cref="EtsArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Table is null) Throw.Argument(nameof(Table), "Table options are required.");
        Table.Validate();
        if (Write is null) Throw.Argument(nameof(Write), "Write options are required.");
        Write.Validate();
        if (!Enum.IsDefined(Durability)) Throw.Argument(nameof(Durability), $"Unknown durability mode {(int)Durability}.");
        if (!Enum.IsDefined(LogSync)) Throw.Argument(nameof(LogSync), $"Unknown log sync policy {(int)LogSync}.");
        if (LogSyncInterval <= TimeSpan.Zero || LogSyncInterval > TimeSpan.FromMinutes(10))
            Throw.Argument(nameof(LogSyncInterval), $"LogSyncInterval must be more than zero and at most 10 minutes, not {LogSyncInterval}.");
        if ((UnixCreateMode & (UnixFileMode.UserRead | UnixFileMode.UserWrite)) != (UnixFileMode.UserRead | UnixFileMode.UserWrite)
            || (UnixCreateMode & ~(UnixFileMode)0x1FF) != 0)
            Throw.Argument(nameof(UnixCreateMode), $"UnixCreateMode must let the owner read and write and use only permission bits (0777), not {Convert.ToString((int)UnixCreateMode, 8)}.");
        if (AcceptDroppedMembers is null || AcceptDroppedMembers.Any(m => m is null || m.Split('.') is not [{ Length: > 0 }, { Length: > 0 }]))
            Throw.Argument(nameof(AcceptDroppedMembers), "AcceptDroppedMembers names members as 'Type.Member' (the type's name without namespace), e.g. 'Row.Nickname'.");
        if (SchemaVersion < 0) Throw.Argument(nameof(SchemaVersion), $"SchemaVersion must be zero or more, not {SchemaVersion}.");
        if (Migrations is null || Migrations.Any(m => m is null || m.Upgrade is null))
            Throw.Argument(nameof(Migrations), "Migrations may not be null or hold a null step or upgrade function.");
        if (Migrations.FirstOrDefault(m => m.FromVersion < 0 || m.FromVersion >= SchemaVersion) is { } outside)
            Throw.Argument(nameof(Migrations), $"A migration from version {outside.FromVersion} does not lead to a version up to SchemaVersion ({SchemaVersion}); steps go from 0 to SchemaVersion - 1.");
        if (Migrations.GroupBy(m => m.FromVersion).FirstOrDefault(g => g.Count() > 1) is { } twice)
            Throw.Argument(nameof(Migrations), $"Two migrations start at version {twice.Key}; give one step per version.");
        if (PersistEvery <= TimeSpan.Zero || PersistEvery > TimeSpan.FromDays(1))
            Throw.Argument(nameof(PersistEvery), $"PersistEvery must be more than zero and at most one day, not {PersistEvery}.");
        Remote?.Validate();
    }
}
