namespace PersistentEts.Tests.Concurrency;

/// <summary>
/// Lookups of an ordered_set read without its lock, validated by a sequence number: they must never miss
/// a key that is there, return another key's object, or see part of a multi-key insert, however the
/// writers split and shift the leaves under them.
/// </summary>
[Collection(nameof(ConcurrencyCollection))]
public sealed class OrderedReadsTests
{
    public sealed record Item(int Key, int Value);

    private static EtsTable<int, Item> NewTable() =>
        Ets.New("ordered", (Item i) => i.Key, new TableOptions { Type = TableType.OrderedSet, Protection = TableProtection.Public });

    [Fact]
    public async Task LookupsOfStableKeys_NeverMissOrMismatch_WhileNeighboursAreInsertedAndRemoved()
    {
        using var table = NewTable();
        const int stable = 2_000; // the even keys below 2 * stable stay; odd keys come and go between them
        for (var k = 0; k < stable; k++) table.Insert(new Item(2 * k, k));
        var wrong = 0L;
        var reads = 0L;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var k = random.Next(stable);
                if (!table.TryLookup(2 * k, out var item) || item.Key != 2 * k || item.Value != k) Interlocked.Increment(ref wrong);
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        var writes = new Random(3);
        for (var round = 0; round < 20; round++)
        {
            // Inserting odd keys shifts the even ones inside their leaves and splits the leaves.
            for (var k = 0; k < stable; k++) table.Insert(new Item(2 * k + 1, -1));
            for (var k = 0; k < stable; k++)
                if (writes.Next(2) == 0) table.Delete(2 * k + 1);
        }
        while (Interlocked.Read(ref reads) < 50_000) await Task.Yield();
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void AMultiKeyInsert_IsSeenWholeOrNotAtAll()
    {
        using var table = NewTable();
        const int maxBatches = 10_000, size = 64;
        var torn = 0L;
        var seen = 0L;
        var writing = 0; // the batch being inserted: readers aim at it, where a torn read would be
        var stop = false;
        using var started = new CountdownEvent(2);
        // Threads of their own, running before the writer starts: pool threads may be busy with other tests.
        var readers = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            var highFirst = r == 0;
            var random = new Random(r);
            started.Signal();
            while (!Volatile.Read(ref stop))
            {
                // The batch being written, or the one just written (so that whole batches are seen too).
                var b = Math.Max(0, Volatile.Read(ref writing) - random.Next(2));
                // Nothing is ever removed, so once one end of a batch is seen the other must be there too,
                // whichever order the batch is applied in; each reader looks at the ends in another order.
                var (first, second) = highFirst ? (b * size + size - 1, b * size) : (b * size, b * size + size - 1);
                if (!table.TryLookup(first, out _)) continue;
                Interlocked.Increment(ref seen);
                if (!table.TryLookup(second, out _)) Interlocked.Increment(ref torn);
            }
        })).ToArray();
        foreach (var reader in readers) reader.Start();
        started.Wait();
        // Batches go on until the readers have looked at enough of them while they were being written.
        for (var b = 0; b < maxBatches && Interlocked.Read(ref seen) < 100_000; b++)
        {
            var batch = Enumerable.Range(0, size).Select(i => new Item(b * size + size - 1 - i, b)).ToArray();
            Volatile.Write(ref writing, b);
            table.Insert(batch);
        }
        Volatile.Write(ref stop, true);
        foreach (var reader in readers) reader.Join();
        Assert.True(Interlocked.Read(ref seen) > 0, "the readers saw no batch at all");
        Assert.Equal(0, torn);
    }
}
