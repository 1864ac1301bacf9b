using Azure.Storage.Blobs.Specialized;
using PersistentEts.Azure;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// Followers through Azure Blob Storage (the Azurite emulator): exact convergence across snapshots that
/// retire the log, the log an owner wrote while the service was away reaching it when the owner reopens,
/// and promotion once the owner's lease is gone.
/// </summary>
[Collection(nameof(RemoteCollection))]
public sealed class AzureFollowerTests(AzuriteFixture azurite) : IDisposable
{
    public sealed record Row(int Id, string Name);

    private readonly TempDirectory _owner = new();
    private readonly TempDirectory _promoted = new();

    public void Dispose()
    {
        _owner.Dispose();
        _promoted.Dispose();
    }

    private static PersistentTableOptions Options(IRemoteTableStore store, string holder) => new()
    {
        PersistEvery = TimeSpan.FromHours(1),
        Durability = DurabilityMode.Log,
        Remote = new RemoteOptions { Store = store, Holder = holder, LeaseDuration = TimeSpan.FromSeconds(15), KeepGenerations = 1 },
    };

    private static FollowerTable<int, Row> Follow(IRemoteTableStore store) =>
        PersistentTable.Follow("azure-followed", (Row r) => r.Id, Options(store, "follower"), new FollowerOptions { PollInterval = TimeSpan.FromMilliseconds(10) });

    private static void Fill(EtsTable<int, Row> table, int from, int count) =>
        table.Insert(Enumerable.Range(from, count).Select(i => new Row(i, "row " + i)));

    [AzuriteFact]
    public void AFollower_ConvergesExactly_AcrossSnapshotsThatRetireTheLog()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "converge");
        using var owner = PersistentTable.New("azure-followed", _owner.File("t.pets"), (Row r) => r.Id, Options(store, "owner"));
        using var follower = Follow(store);
        var random = new Random(5);
        for (var run = 0; run < 5; run++)
        {
            for (var op = 0; op < 40; op++)
            {
                var key = random.Next(50);
                switch (random.Next(10))
                {
                    case < 5: owner.Insert(new Row(key, $"v{run}.{op}")); break;
                    case < 7: owner.Insert([new Row(key, "pair a"), new Row(key + 100, "pair b")]); break;
                    case < 9: owner.Delete(key); break;
                    default: owner.Persistence.Flush(); break;
                }
            }
            Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(60)));
            Assert.Equal(owner.ToList().OrderBy(r => r.Id), follower.ToList().OrderBy(r => r.Id));
        }
        Assert.Null(follower.Status.LastError);
    }

    [AzuriteFact]
    public void RecordsWrittenWhileTheServiceWasAway_ReachItWhenTheOwnerReopens()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "reopen");
        var options = Options(store, "owner");
        var first = PersistentTable.New("azure-followed", _owner.File("t.pets"), (Row r) => r.Id,
            options with { Remote = options.Remote! with { LogSync = LogSync.Interval, LogSyncInterval = TimeSpan.FromMinutes(10) } });
        Fill(first, 0, 30);
        try
        {
            azurite.Server.Switch.Off();
            first.Persistence.Abandon(); // dies with its last shipment refused and no final save
        }
        finally
        {
            azurite.Server.Switch.On();
        }
        container.GetBlobClient("reopen/manifest.json").GetBlobLeaseClient().Break(TimeSpan.Zero); // as once it lapsed

        using var reopened = PersistentTable.New("azure-followed-again", _owner.File("t.pets"), (Row r) => r.Id, options);
        Fill(reopened, 30, 10);
        using var follower = Follow(store);
        Assert.True(follower.WaitForPosition(reopened.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(60)));
        Assert.Equal(40, follower.Count);
        Assert.Equal(reopened.ToList().OrderBy(r => r.Id), follower.ToList().OrderBy(r => r.Id));
    }

    [AzuriteFact]
    public void OnceTheOwnersLeaseIsBroken_APromotedFollowerHasEveryAcknowledgedWrite_AndTheOldOwnerIsFenced()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "promote");
        var owner = PersistentTable.New("azure-followed", _owner.File("t.pets"), (Row r) => r.Id, Options(store, "owner"));
        Fill(owner, 0, 100);
        owner.Persistence.Flush();
        using var follower = Follow(store);
        Fill(owner, 100, 50);
        var acknowledged = owner.ToList().OrderBy(r => r.Id).ToList();

        Assert.Throws<RemoteTableOwnedException>(() => follower.Promote(_promoted.File("t.pets")));
        // The owner's machine is gone: an orchestrator breaks its lease rather than wait for it to lapse.
        container.GetBlobClient("promote/manifest.json").GetBlobLeaseClient().Break(TimeSpan.Zero);
        using var promoted = follower.Promote(_promoted.File("t.pets"));
        Assert.Equal(acknowledged, promoted.ToList().OrderBy(r => r.Id));
        Assert.ThrowsAny<EtsException>(() => owner.Insert(new Row(1_000, "from a fenced owner")));
        Assert.False(promoted.Contains(1_000));
        try
        {
            owner.Dispose();
        }
        catch (EtsException)
        {
            // A fenced owner's end may report its failed log.
        }
    }
}
