using PersistentEts.Persistence;

namespace PersistentEts.Tests.Reliability;

/// <summary>
/// Writers, readers, periodic saves, flushes, give-aways and close/reopen cycles together, for a bounded
/// time (PETS_SOAK_SECONDS, default 5), with the invariants checked throughout and at the end: transfers
/// keep the total constant in memory, in every flushed snapshot, and across every reopen.
/// </summary>
[Collection(nameof(Concurrency.ConcurrencyCollection))]
public sealed class SoakTests : IDisposable
{
    public sealed record Account(int Id, long Balance);

    private const int Accounts = 500;
    private const long Total = Accounts * 1_000L;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TimeSpan Duration() =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("PETS_SOAK_SECONDS"), out var s) && s > 0 ? s : 5);

    [Theory]
    [InlineData(TableType.Set, DurabilityMode.Snapshot)]
    [InlineData(TableType.OrderedSet, DurabilityMode.Log)]
    public async Task Soak_KeepsEveryInvariant(TableType type, DurabilityMode durability)
    {
        var path = _dir.File("soak.pets");
        var options = new PersistentTableOptions
        {
            Table = new TableOptions { Type = type, Protection = TableProtection.Public },
            PersistEvery = TimeSpan.FromMilliseconds(30),
            Durability = durability,
        };
        var owner = PersistentTable.New("soak", path, (Account a) => a.Id, options);
        owner.Insert(Enumerable.Range(0, Accounts).Select(i => new Account(i, 1_000)));
        // Writers use a shared handle; the gate keeps them out while the owner is replaced.
        var handle = owner.Share();
        var gate = new ReaderWriterLockSlim();
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long transfers = 0, reads = 0, flushes = 0, giveAways = 0, reopens = 0;
        using var stop = new CancellationTokenSource(Duration());

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var r = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                gate.EnterReadLock();
                try
                {
                    // A transfer moves money between two accounts in one atomic batch insert.
                    var from = r.Next(Accounts);
                    var to = (from + 1 + r.Next(Accounts - 1)) % Accounts;
                    lock (handle)
                    {
                        handle.TryLookup(from, out var a);
                        handle.TryLookup(to, out var b);
                        var amount = r.Next(1, 50);
                        handle.Insert([a! with { Balance = a.Balance - amount }, b! with { Balance = b.Balance + amount }]);
                    }
                    Interlocked.Increment(ref transfers);
                }
                finally
                {
                    gate.ExitReadLock();
                }
            }
        })).ToList();

        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                gate.EnterReadLock();
                try
                {
                    if (handle.Count != Accounts) violations.Enqueue($"count {handle.Count}");
                    var page = handle.Select(MatchSpec.Create<Account>(a => a.Id % 7 == 0), 10);
                    while (page.Continuation is not null) page = handle.Select(page.Continuation);
                    Interlocked.Increment(ref reads);
                }
                finally
                {
                    gate.ExitReadLock();
                }
            }
        });

        var r = new Random(99);
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(20);
            switch (r.Next(3))
            {
                case 0:
                    owner.Persistence!.Flush();
                    flushes++;
                    // Every flushed snapshot is one instant: the total holds in it.
                    using (var snap = Snapshot.Load(path, (Account a) => a.Id, new TableOptions { Type = type }))
                    {
                        var sum = snap.FoldLeft(0L, (s, a) => s + a.Balance);
                        if (sum != Total || snap.Count != Accounts) violations.Enqueue($"snapshot total {sum}, count {snap.Count}");
                    }
                    break;
                case 1:
                    owner = owner.GiveAway();
                    giveAways++;
                    break;
                default:
                    gate.EnterWriteLock();
                    try
                    {
                        owner.Dispose(); // saves, then the table goes
                        owner = PersistentTable.New("soak", path, (Account a) => a.Id, options);
                        handle = owner.Share();
                        var sum = owner.FoldLeft(0L, (s, a) => s + a.Balance);
                        if (sum != Total || owner.Count != Accounts) violations.Enqueue($"after reopen total {sum}, count {owner.Count}");
                        reopens++;
                    }
                    finally
                    {
                        gate.ExitWriteLock();
                    }
                    break;
            }
        }
        await Task.WhenAll([.. writers, reader]);
        var final = owner.FoldLeft(0L, (s, a) => s + a.Balance);
        owner.Dispose();
        Assert.Empty(violations);
        Assert.Equal(Total, final);
        Assert.True(transfers > 0 && reads > 0 && flushes + giveAways + reopens > 0,
            $"transfers {transfers}, reads {reads}, flushes {flushes}, give-aways {giveAways}, reopens {reopens}");
    }
}
