using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// A follower of each table type, on the directory store: after every run of random operations on the
/// owner (single and multi-key writes, deletes, clears, snapshots that retire the log) it holds exactly the
/// owner's objects, and at every step it shows a state the owner had.
/// </summary>
public abstract class FollowerContract : IDisposable
{
    public sealed record Row(int Id, int Value);

    protected abstract TableType Type { get; }

    private readonly TempDirectory _store = new();
    private readonly TempDirectory _owner = new();

    public void Dispose()
    {
        _store.Dispose();
        _owner.Dispose();
    }

    private PersistentTableOptions Options(string holder) => new()
    {
        Table = new TableOptions { Type = Type },
        PersistEvery = TimeSpan.FromHours(1),
        Durability = DurabilityMode.Log,
        Remote = new RemoteOptions { Store = new DirectoryTableStore(_store.Path), Holder = holder, LeaseDuration = TimeSpan.FromSeconds(15) },
    };

    private PersistentEtsTable<int, Row> OpenOwner() => PersistentTable.New("followed", _owner.File("t.pets"), (Row r) => r.Id, Options("owner"));

    private FollowerTable<int, Row> Follow(FollowerOptions? options = null) =>
        PersistentTable.Follow("followed", (Row r) => r.Id, Options("follower"), options ?? new FollowerOptions { PollInterval = TimeSpan.FromMilliseconds(10) });

    private static List<Row> Contents(IReadOnlyEtsTable<int, Row> table) => [.. table.ToList().OrderBy(r => r.Id).ThenBy(r => r.Value)];

    [Fact]
    public void AfterEveryRunOfRandomOperations_TheFollowerHoldsExactlyTheOwnersObjects()
    {
        using var owner = OpenOwner();
        owner.Insert(new Row(-1, 0));
        owner.Persistence.Flush(); // a first snapshot, so the follower loads one
        using var follower = Follow();
        Assert.Equal(Contents(owner), Contents(follower));
        var random = new Random(Type.GetHashCode() + 17);
        for (var run = 0; run < 12; run++)
        {
            for (var op = 0; op < 60; op++)
            {
                var key = random.Next(40);
                switch (random.Next(100))
                {
                    case < 45: owner.Insert(new Row(key, random.Next(4))); break;
                    case < 65: owner.Insert(Enumerable.Range(0, 1 + random.Next(5)).Select(_ => new Row(random.Next(40), random.Next(4)))); break;
                    case < 80: owner.Delete(key); break;
                    case < 92: owner.DeleteObject(new Row(key, random.Next(4))); break;
                    case < 94: owner.InsertNew(new Row(key, 9)); break;
                    case < 95: owner.DeleteAllObjects(); break;
                    default: owner.Persistence.Flush(); break; // rotates the log and retires what the snapshot holds
                }
            }
            var position = owner.Persistence.LogPosition!.Value;
            Assert.True(follower.WaitForPosition(position, TimeSpan.FromSeconds(30)), $"The follower did not reach {position}; it is at {follower.Position}.");
            Assert.Equal(Contents(owner), Contents(follower));
        }
        Assert.Null(follower.Status.LastError);
    }

    [Fact]
    public void AtEveryStep_TheFollowerShowsAStateTheOwnerHad_MultiKeyWritesWhole()
    {
        // Each write n puts value n under both keys of a pair at once; a set keeps the last value, a bag all
        // of them. A state the owner had: both keys hold the same values, 1..n (bags) or n (sets), n never going back.
        using var owner = OpenOwner();
        using var follower = Follow();
        var seen = new List<string>();
        var last = 0;
        follower.Applied += (_, e) =>
        {
            var a = follower.Lookup(1).Select(r => r.Value).Order().ToList();
            var b = follower.Lookup(2).Select(r => r.Value).Order().ToList();
            var n = a.Count == 0 ? 0 : a[^1];
            var prefix = Type.IsBag() ? Enumerable.Range(1, n).ToList() : n == 0 ? [] : [n];
            if (!a.SequenceEqual(b) || !a.SequenceEqual(prefix) || n < last) seen.Add($"at {e.Position}: key 1 = [{string.Join(",", a)}], key 2 = [{string.Join(",", b)}], after {last}");
            last = n;
        };
        for (var n = 1; n <= 300; n++)
        {
            owner.Insert([new Row(1, n), new Row(2, n)]);
            if (n % 100 == 0) owner.Persistence.Flush();
        }
        Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        Assert.Empty(seen);
        Assert.Equal(300, last);
    }
}

public sealed class SetFollowerTests : FollowerContract
{
    protected override TableType Type => TableType.Set;
}

public sealed class OrderedSetFollowerTests : FollowerContract
{
    protected override TableType Type => TableType.OrderedSet;
}

public sealed class BagFollowerTests : FollowerContract
{
    protected override TableType Type => TableType.Bag;
}

public sealed class DuplicateBagFollowerTests : FollowerContract
{
    protected override TableType Type => TableType.DuplicateBag;
}
