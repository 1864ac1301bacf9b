using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>Snapshots taken while writers run capture one instant: an invariant kept by every write holds in every file.</summary>
[Collection(nameof(Concurrency.ConcurrencyCollection))]
public sealed class PointInTimeTests : IDisposable
{
    public sealed record Account(int Id, long Balance);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    public async Task Transfers_KeepTheirTotal_InEverySnapshot(TableType type)
    {
        const int accounts = 2_000;
        const long total = accounts * 100L;
        using var table = Ets.New("bank", (Account a) => a.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
        table.Insert(Enumerable.Range(0, accounts).Select(i => new Account(i, 100)));
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var r = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                var from = r.Next(accounts);
                var to = r.Next(accounts);
                if (from == to) continue;
                var amount = r.Next(1, 10);
                // A transfer is one batch insert of both accounts, so the total is constant at every instant.
                lock (table)
                {
                    table.TryLookup(from, out var a);
                    table.TryLookup(to, out var b);
                    table.Insert([a! with { Balance = a.Balance - amount }, b! with { Balance = b.Balance + amount }]);
                }
                // Scratch keys come and go beside the accounts, exercising the pre-images of deleted keys.
                var scratch = accounts + r.Next(500);
                if (r.Next(2) == 0) table.Insert(new Account(scratch, 1)); else table.Delete(scratch);
            }
        })).ToArray();

        var path = _dir.File("bank.pets");
        for (var i = 0; i < 100; i++)
        {
            Snapshot.Save(table, path, new SnapshotWriteOptions { Sync = false });
            using var loaded = Snapshot.Load(path, (Account a) => a.Id, new TableOptions { Type = type });
            var real = loaded.Select(a => a.Id < accounts);
            Assert.Equal(accounts, real.Count);
            Assert.Equal(total, real.Sum(a => a.Balance));
        }
        stop.Cancel();
        await Task.WhenAll(writers);
        Assert.Equal(total, table.Select(a => a.Id < accounts).Sum(a => a.Balance));
    }
}
