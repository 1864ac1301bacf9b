using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// The same remote table on <see cref="DirectoryTableStore"/>, the store on a directory (another disk or a
/// mounted volume): restore on a machine whose directory is empty, one owner at a time, fencing once a lease
/// lapsed and was taken. Its leases expire by a clock the test moves.
/// </summary>
public sealed class DirectoryStoreTests : IDisposable
{
    public sealed record Row(int Id, string Name);

    private readonly TempDirectory _store = new();
    private readonly TempDirectory _machineA = new();
    private readonly TempDirectory _machineB = new();
    private readonly TempDirectory _machineC = new();
    private readonly MovableClock _clock = new();

    public void Dispose()
    {
        foreach (var d in new[] { _store, _machineA, _machineB, _machineC }) d.Dispose();
    }

    private PersistentEtsTable<int, Row> Open(TempDirectory machine, string holder) =>
        PersistentTable.New("dir", machine.File("t.pets"), (Row r) => r.Id, new PersistentTableOptions
        {
            PersistEvery = TimeSpan.FromHours(1),
            Durability = DurabilityMode.Log,
            Remote = new RemoteOptions { Store = new DirectoryTableStore(_store.Path, _clock), Holder = holder, LeaseDuration = TimeSpan.FromSeconds(15) },
        });

    [Fact]
    public void ALostMachinesAcknowledgedWrites_AreAllOnTheNextOne_AndItsLaterWritesAreRefused()
    {
        var a = Open(_machineA, "machine A");
        for (var i = 0; i < 200; i++) a.Insert(new Row(i, "acknowledged"));
        a.Persistence.Flush();
        for (var i = 200; i < 300; i++) a.Insert(new Row(i, "after the snapshot, in the log only"));

        Assert.Throws<RemoteTableOwnedException>(() => Open(_machineB, "machine B"));
        _clock.Ahead = TimeSpan.FromMinutes(1); // A stops renewing (it is paused, or gone) and its lease lapses
        var b = Open(_machineB, "machine B");
        Assert.Equal(300, b.Count);

        Assert.ThrowsAny<EtsException>(() => a.Insert(new Row(1_000, "from a fenced owner")));
        Assert.IsType<RemoteLeaseLostException>(a.Persistence.LastRemoteError);
        b.Insert(new Row(2_000, "b"));
        b.Dispose();

        using var c = Open(_machineC, "machine C");
        Assert.Equal(301, c.Count);
        Assert.False(c.Contains(1_000));
        try
        {
            a.Dispose();
        }
        catch (EtsException)
        {
            // A fenced owner's end may report its failed log.
        }
    }

    [Fact]
    public void ASecondOwner_IsRefusedNamingTheHolder_UntilTheFirstCloses()
    {
        var a = Open(_machineA, "machine A");
        a.Insert(new Row(1, "a"));
        var e = Assert.Throws<RemoteTableOwnedException>(() => Open(_machineB, "machine B"));
        Assert.Equal("machine A", e.Holder);
        a.Dispose();
        using var b = Open(_machineB, "machine B");
        Assert.Equal(1, b.Count);
    }
}
