using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// What a follower does beyond tracking (see <see cref="FollowerContract"/>): a reload once the log it needed
/// was retired, that never goes back; read-your-writes waits; its change events; promotion once the owner's
/// lease lapsed, and refusal while it is live; what it refuses at the door.
/// </summary>
public sealed class FollowerTests : IDisposable
{
    public sealed record Row(int Id, string Name);

    private readonly TempDirectory _store = new();
    private readonly TempDirectory _owner = new();
    private readonly TempDirectory _promoted = new();
    private readonly MovableClock _clock = new();

    public void Dispose()
    {
        foreach (var d in new[] { _store, _owner, _promoted }) d.Dispose();
    }

    private PersistentTableOptions Options(string holder, IRemoteTableStore? store = null) => new()
    {
        PersistEvery = TimeSpan.FromHours(1),
        Durability = DurabilityMode.Log,
        Remote = new RemoteOptions
        {
            Store = store ?? new DirectoryTableStore(_store.Path, _clock), Holder = holder, LeaseDuration = TimeSpan.FromSeconds(15), KeepGenerations = 1,
        },
    };

    private PersistentEtsTable<int, Row> OpenOwner() => PersistentTable.New("followed", _owner.File("t.pets"), (Row r) => r.Id, Options("owner"));

    private FollowerTable<int, Row> Follow(IRemoteTableStore? store = null) =>
        PersistentTable.Follow("followed", (Row r) => r.Id, Options("follower", store), new FollowerOptions { PollInterval = TimeSpan.FromMilliseconds(10) });

    private static void Fill(EtsTable<int, Row> table, int from, int count) =>
        table.Insert(Enumerable.Range(from, count).Select(i => new Row(i, "row " + i)));

    [Fact]
    public void AFollowerBehindTheRetainedLog_ReloadsTheNewerSnapshot_AndNeverShowsLessThanItHad()
    {
        using var owner = OpenOwner();
        Fill(owner, 0, 100);
        var gated = new GatedStore(new DirectoryTableStore(_store.Path, _clock));
        using var follower = Follow(gated);
        Assert.Equal(100, follower.Count);
        var counts = new List<long>();
        follower.Applied += (_, e) => counts.Add(follower.Count);

        var firstPage = follower.Select(MatchSpec.Create((Row r) => true), 40); // a paged select begun before the reload
        gated.Close(); // the follower stops reading the log
        for (var i = 0; i < 3; i++)
        {
            Fill(owner, 100 + i * 100, 100);
            owner.Persistence.Flush(); // each snapshot retires the log before it
        }
        Fill(owner, 400, 50);
        gated.Open();

        Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        Assert.Equal(owner.ToList().OrderBy(r => r.Id), follower.ToList().OrderBy(r => r.Id));
        Assert.Equal(2, follower.Status.Loads);
        Assert.Equal(owner.Persistence.RemoteGeneration, follower.Status.Generation);
        Assert.All(counts, c => Assert.True(c >= 100, $"The follower showed {c} rows after showing 100."));
        Assert.Equal(counts.Order(), counts);

        // The select goes on in the table its first page came from: the 100 rows shown then, each once.
        var paged = new List<Row>(firstPage.Items);
        for (var page = firstPage; page.Continuation is { } next;)
        {
            page = follower.Select(next);
            paged.AddRange(page.Items);
        }
        Assert.Equal(Enumerable.Range(0, 100), paged.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task AfterAWriteReturns_WaitingForTheOwnersPosition_ShowsIt()
    {
        using var owner = OpenOwner();
        using var follower = Follow();
        for (var i = 0; i < 50; i++)
        {
            owner.Insert(new Row(i, "mine"));
            Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
            Assert.True(follower.TryLookup(i, out var row));
            Assert.Equal("mine", row.Name);
        }
        await follower.WaitForPositionAsync(owner.Persistence.LogPosition!.Value).WaitAsync(TimeSpan.FromSeconds(30));
        var beyond = new LogPosition(owner.Persistence.LogPosition!.Value.Segment + 5, 0);
        Assert.False(follower.WaitForPosition(beyond, TimeSpan.FromMilliseconds(200)));
        var status = follower.Status;
        Assert.True(status.AppliedRecords >= 50);
        Assert.NotNull(status.CaughtUpAt);
        Assert.True(status.Lag < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void TheAppliedEvent_GivesEveryChangeInLogOrder()
    {
        using var owner = OpenOwner();
        using var follower = Follow();
        var changes = new List<FollowerChange<Row>>();
        follower.Applied += (_, e) =>
        {
            lock (changes) changes.AddRange(e.Changes);
        };
        owner.Insert(new Row(1, "one"));
        owner.Insert([new Row(2, "two"), new Row(3, "three")]);
        owner.Delete(1);
        owner.DeleteAllObjects();
        Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        lock (changes)
        {
            Assert.Equal(
                [(FollowerChangeKind.Put, 1), (FollowerChangeKind.Put, 2), (FollowerChangeKind.Put, 3), (FollowerChangeKind.Remove, 1), (FollowerChangeKind.Clear, -1)],
                changes.Select(c => (c.Kind, c.Objects.Count == 0 ? -1 : c.Objects[0].Id)));
        }
    }

    [Fact]
    public void WhileTheOwnersLeaseIsLive_PromotionIsRefused_AndTheFollowerGoesOn()
    {
        using var owner = OpenOwner();
        using var follower = Follow();
        var e = Assert.Throws<RemoteTableOwnedException>(() => follower.Promote(_promoted.File("t.pets")));
        Assert.Equal("owner", e.Holder);
        owner.Insert(new Row(7, "after the refusal"));
        Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        Assert.True(follower.Contains(7));
    }

    [Fact]
    public void OnceTheOwnersLeaseLapsed_APromotedFollower_HasEveryAcknowledgedWrite_AndTheOldOwnerIsFenced()
    {
        var owner = OpenOwner();
        Fill(owner, 0, 100);
        owner.Persistence.Flush();
        var gated = new GatedStore(new DirectoryTableStore(_store.Path, _clock));
        using var follower = Follow(gated);
        gated.Close(); // the follower is behind when the owner goes
        Fill(owner, 100, 100);
        var acknowledged = owner.ToList().OrderBy(r => r.Id).ToList();

        _clock.Ahead = TimeSpan.FromMinutes(1); // the owner stops renewing (paused, or gone); its lease lapses
        gated.Open();
        using var promoted = follower.Promote(_promoted.File("t.pets"));
        Assert.Equal(acknowledged, promoted.ToList().OrderBy(r => r.Id));
        Assert.Equal(200, follower.Count); // its reads answer from the owner's table now
        Assert.True(follower.Status.Promoted);
        promoted.Insert(new Row(1_000, "new owner"));
        Assert.True(follower.Contains(1_000));

        Assert.ThrowsAny<EtsException>(() => owner.Insert(new Row(2_000, "from a fenced owner")));
        try
        {
            owner.Dispose();
        }
        catch (EtsException)
        {
            // A fenced owner's end may report its failed log.
        }
    }

    [Fact]
    public void RecordsAnOwnerWroteLocallyButNeverShipped_ReachTheStoreWhenItReopens_SoFollowersMissNone()
    {
        var gated = new GatedStore(new DirectoryTableStore(_store.Path, _clock));
        var options = Options("owner", gated) with { LogSync = LogSync.Always };
        options = options with { Remote = options.Remote! with { LogSync = LogSync.Interval, LogSyncInterval = TimeSpan.FromMinutes(10) } };
        var first = PersistentTable.New("followed", _owner.File("t.pets"), (Row r) => r.Id, options);
        Fill(first, 0, 30); // written and fsynced locally; shipped only every ten minutes
        gated.RefuseAppends = true;
        first.Persistence.Abandon(); // the owner dies: its last shipment is refused, and no final save runs
        gated.RefuseAppends = false;

        using var reopened = PersistentTable.New("followed-again", _owner.File("t.pets"), (Row r) => r.Id, Options("owner")); // ships every write now
        Assert.Equal(30, reopened.Count);
        Fill(reopened, 30, 10);
        using var follower = Follow();
        Assert.True(follower.WaitForPosition(reopened.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        Assert.Equal(reopened.ToList().OrderBy(r => r.Id), follower.ToList().OrderBy(r => r.Id));
    }

    [Fact]
    public void AFollowerOfATableWithoutALog_ShowsEachNewSnapshot()
    {
        var options = Options("owner") with { Durability = DurabilityMode.Snapshot };
        using var owner = PersistentTable.New("followed", _owner.File("t.pets"), (Row r) => r.Id, options);
        Fill(owner, 0, 10);
        owner.Persistence.Flush();
        using var follower = Follow();
        Assert.Equal(10, follower.Count);
        Fill(owner, 10, 10);
        owner.Persistence.Flush();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (follower.Count < 20 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.Equal(owner.ToList().OrderBy(r => r.Id), follower.ToList().OrderBy(r => r.Id));
        Assert.Equal(2, follower.Status.Loads);
    }

    [Fact]
    public void AFollowerWithoutAStore_OrOfAnotherTableType_IsRefusedAtTheDoor()
    {
        var noStore = Assert.Throws<EtsArgumentException>(() =>
            PersistentTable.Follow("followed", (Row r) => r.Id, new PersistentTableOptions()));
        Assert.Contains("Remote", noStore.Message);
        var badPoll = Assert.Throws<EtsArgumentException>(() =>
            PersistentTable.Follow("followed", (Row r) => r.Id, Options("f"), new FollowerOptions { PollInterval = TimeSpan.Zero }));
        Assert.Equal("PollInterval", badPoll.ParamName);

        using (var owner = OpenOwner())
        {
            owner.Insert(new Row(1, "a"));
            owner.Persistence.Flush();
        }
        var mismatch = Assert.Throws<SnapshotMismatchException>(() =>
            PersistentTable.Follow("followed", (Row r) => r.Id, Options("f") with { Table = new TableOptions { Type = TableType.Bag } }));
        Assert.Contains("bag", mismatch.Message);
    }

    [Fact]
    public void WhileTheStoreIsAway_TheFollowerKeepsWhatItShowed_SaysWhy_AndCatchesUpOnceItIsBack()
    {
        using var owner = OpenOwner();
        Fill(owner, 0, 10);
        var gated = new GatedStore(new DirectoryTableStore(_store.Path, _clock));
        using var follower = Follow(gated);
        gated.RefuseReads = true;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (follower.Status.LastError is null && DateTime.UtcNow < deadline) Thread.Sleep(10);
        var error = Assert.IsType<RemoteStoreException>(follower.Status.LastError);
        Assert.Contains("the store is away", error.Message);
        Assert.Equal(10, follower.Count);

        Fill(owner, 10, 10);
        gated.RefuseReads = false;
        Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        Assert.Equal(20, follower.Count);
        Assert.Null(follower.Status.LastError);
    }

    [Fact]
    public void ADisposedFollower_StopsReading_AndSaysSo()
    {
        using var owner = OpenOwner();
        owner.Insert(new Row(1, "a"));
        var follower = Follow();
        follower.Dispose();
        Assert.Throws<TableDestroyedException>(() => follower.Lookup(1));
        Assert.Throws<TableDestroyedException>(() => follower.WaitForPosition(new LogPosition(99, 0), TimeSpan.FromSeconds(1)));
    }
}
