using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Misuse;

/// <summary>
/// Every invalid persistent-table option is refused by its one validator, naming the option, before any
/// file is made: one case per option.
/// </summary>
public sealed class PersistentOptionsValidationTests : IDisposable
{
    public sealed record Row(int Id);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, PersistentTableOptions> InvalidOptions => new()
    {
        { "Table", new() { Table = null! } },
        { "Type", new() { Table = new TableOptions { Type = (TableType)42 } } },
        { "Protection", new() { Table = new TableOptions { Protection = (TableProtection)42 } } },
        { "LockStripes", new() { Table = new TableOptions { LockStripes = 3 } } },
        { "Write", new() { Write = null! } },
        { "KeepPrevious", new() { Write = new SnapshotWriteOptions { KeepPrevious = 101 } } },
        { "EncodeThreads", new() { Write = new SnapshotWriteOptions { EncodeThreads = 0 } } },
        { "Durability", new() { Durability = (DurabilityMode)42 } },
        { "LogSync", new() { LogSync = (LogSync)42 } },
        { "LogSyncInterval", new() { LogSyncInterval = TimeSpan.Zero } },
        { "UnixCreateMode", new() { UnixCreateMode = UnixFileMode.UserRead } },
        { "AcceptDroppedMembers", new() { AcceptDroppedMembers = ["NoDot"] } },
        { "SchemaVersion", new() { SchemaVersion = -1 } },
        { "Migrations", new() { SchemaVersion = 1, Migrations = [new SchemaMigration(1, _ => { })] } },
        { "PersistEvery", new() { PersistEvery = TimeSpan.Zero } },
        { "Remote", new() { Remote = new RemoteOptions { Store = null! } } },
        { "KeepGenerations", new() { Remote = new RemoteOptions { Store = NoStore, KeepGenerations = 0 } } },
        { "LeaseDuration", new() { Remote = new RemoteOptions { Store = NoStore, LeaseDuration = TimeSpan.FromSeconds(5) } } },
        { "Holder", new() { Remote = new RemoteOptions { Store = NoStore, Holder = " " } } },
        { "LogSync", new() { Remote = new RemoteOptions { Store = NoStore, LogSync = (LogSync)42 } } },
        { "LogSyncInterval", new() { Remote = new RemoteOptions { Store = NoStore, LogSyncInterval = TimeSpan.Zero } } },
    };

    /// <summary>A store nothing is ever sent to: options are refused before any call.</summary>
    private static readonly IRemoteTableStore NoStore =
        new PersistentEts.Azure.AzureBlobTableStore(new global::Azure.Storage.Blobs.BlobContainerClient(new Uri("http://127.0.0.1:9/devstoreaccount1/none")), "none");

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void AnInvalidOption_IsRefused_NamingIt_BeforeAnyFileIsMade(string option, PersistentTableOptions options)
    {
        var path = _dir.File("rows.pets");
        var e = Assert.Throws<EtsArgumentException>(() => PersistentTable.New("rows", path, (Row r) => r.Id, options));
        Assert.Equal(option, e.ParamName);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void EveryOptionThatCanBeInvalid_HasACase()
    {
        // Options that can hold an invalid value (not a bool, not the logger); a new one must join the cases above.
        var covered = InvalidOptions.Select(row => (string)row[0]).ToHashSet();
        var options = typeof(PersistentTableOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.PropertyType != typeof(bool) && p.Name != nameof(PersistentTableOptions.Logger))
            .Select(p => p.Name).ToList();
        Assert.NotEmpty(options);
        Assert.All(options, o => Assert.True(covered.Contains(o), $"no invalid case for {o}"));
    }
}
