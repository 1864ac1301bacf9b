using Xunit.Abstractions;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Reliability;

/// <summary>
/// Seeded fuzzing of the snapshot and log loaders: bit flips, byte runs, truncations, inserted bytes and
/// lying length fields. Every case must end in success (only when the damage left a valid file, e.g. a
/// torn log tail) or a typed error; never an untyped exception, never a hang (5 s per case), never a
/// large allocation (a length claiming gigabytes allocates nothing like it).
/// </summary>
[Collection(nameof(Crash.CrashCollection))]
public sealed class LoaderFuzzTests(ITestOutputHelper output)
{
    public sealed record Row(int Id, string Name, long Count);

    private const string Dir = "/fuzz";
    private static readonly string TablePath = Path.Combine(Dir, "t.pets");
    // 5,000 per loader in CI; PETS_FUZZ_CASES=100000 for a longer run.
    private static readonly int CasesPerLoader =
        int.TryParse(Environment.GetEnvironmentVariable("PETS_FUZZ_CASES"), out var n) && n > 0 ? n : 5_000;
    private const long MaxAllocationPerCase = 96L << 20;

    private static readonly PersistentTableOptions Plain = new() { PersistEvery = TimeSpan.FromHours(1) };

    private static byte[] GoodSnapshot()
    {
        var fs = new SimulatedFileSystem(Dir);
        using var t = Ets.New("fuzz", (Row r) => r.Id);
        t.Insert(Enumerable.Range(0, 300).Select(i => new Row(i, "name-" + i, i * 7L)));
        Snapshot.Save(t.Core, TablePath, SnapshotWriteOptions.Default, MessagePackObjectCodec<Row>.Instance, fs);
        return Read(fs, TablePath);
    }

    private static (byte[] Segment, string Name) GoodLog()
    {
        var fs = new SimulatedFileSystem(Dir);
        var t = PersistentTable.Open("fuzz", TablePath, (Row r) => r.Id, "r => r.Id",
            Plain with { Durability = DurabilityMode.Log }, MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
        for (var i = 0; i < 40; i++) t.Insert(new Row(i, "name-" + i, i));
        t.Insert(Enumerable.Range(100, 20).Select(i => new Row(i, "batch", i)));
        t.Delete(3);
        t.Persistence!.Abandon();
        t.Dispose();
        var name = fs.EnumerateFiles(Dir, "*.wal").Single();
        return (Read(fs, name), name);
    }

    private static byte[] Read(SimulatedFileSystem fs, string path)
    {
        using var s = fs.OpenRead(path);
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }

    private static SimulatedFileSystem With(string path, byte[] bytes)
    {
        var fs = new SimulatedFileSystem(Dir);
        using (var s = fs.CreateNew(path)) s.Write(bytes);
        return fs;
    }

    /// <summary>One damaged copy of <paramref name="good"/>; lying lengths go at the given structural offsets.</summary>
    private static byte[] Mutate(byte[] good, Random r, int[] lengthFields)
    {
        var b = (byte[])good.Clone();
        switch (r.Next(5))
        {
            case 0: // bit flips
                for (var i = r.Next(1, 4); i > 0; i--) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
                return b;
            case 1: // a run of bytes overwritten
                var at = r.Next(b.Length);
                var len = Math.Min(r.Next(1, 64), b.Length - at);
                var fill = r.Next(3);
                for (var i = 0; i < len; i++) b[at + i] = fill == 0 ? (byte)0 : fill == 1 ? (byte)0xFF : (byte)r.Next(256);
                return b;
            case 2: // truncation
                return b[..r.Next(b.Length)];
            case 3: // bytes inserted
                var where = r.Next(b.Length);
                var extra = new byte[r.Next(1, 32)];
                r.NextBytes(extra);
                return [.. b[..where], .. extra, .. b[where..]];
            default: // a length field that lies (up to "4 GB")
                var field = lengthFields[r.Next(lengthFields.Length)];
                if (field + 4 > b.Length) return b;
                var lie = r.Next(3) switch { 0 => int.MaxValue, 1 => -1, _ => r.Next() };
                BitConverter.GetBytes(lie).CopyTo(b, field);
                return b;
        }
    }

    private readonly record struct Outcome(int Loaded, int Typed, int Untyped, int Hangs, long MaxAllocated, string? FirstUntyped);

    private static Outcome Run(byte[] good, int[] lengthFields, int seed, Func<byte[], SimulatedFileSystem> place, Action<SimulatedFileSystem> open)
    {
        var r = new Random(seed);
        int loaded = 0, typed = 0, untyped = 0, hangs = 0;
        long maxAllocated = 0;
        string? firstUntyped = null;
        for (var i = 0; i < CasesPerLoader; i++)
        {
            var fs = place(Mutate(good, r, lengthFields));
            var task = Task.Run(() =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    open(fs);
                    return (Ok: true, Error: (Exception?)null, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
                }
                catch (Exception e)
                {
                    return (Ok: false, Error: e, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
                }
            });
            if (!task.Wait(TimeSpan.FromSeconds(5)))
            {
                hangs++;
                continue;
            }
            var (ok, error, allocated) = task.Result;
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (ok) loaded++;
            else if (error is EtsException) typed++;
            else
            {
                untyped++;
                firstUntyped ??= error!.ToString();
            }
        }
        return new Outcome(loaded, typed, untyped, hangs, maxAllocated, firstUntyped);
    }

    private void Report(string loader, Outcome o) =>
        output.WriteLine($"fuzz {loader}: cases={CasesPerLoader} loaded={o.Loaded} typed={o.Typed} untyped={o.Untyped} hangs={o.Hangs} max_allocated_bytes={o.MaxAllocated}");

    [Fact]
    public void SnapshotLoader_SeededCases_OnlyTypedErrors()
    {
        var good = GoodSnapshot();
        var headerLength = BitConverter.ToInt32(good, 12);
        var firstBlock = 16 + headerLength + 4;
        int[] lengthFields = [12, firstBlock + 1, firstBlock + 5, firstBlock + 9, good.Length - 37 + 1, good.Length - 37 + 9];
        var outcome = Run(good, lengthFields, 2026, bytes => With(TablePath, bytes), fs =>
        {
            using var t = PersistentTable.Open("fuzz", TablePath, (Row r) => r.Id, "r => r.Id", Plain,
                MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
            t.Persistence!.Abandon();
        });
        Report("snapshot", outcome);
        Assert.True(outcome.Untyped == 0, outcome.FirstUntyped);
        Assert.Equal(0, outcome.Hangs);
        Assert.True(outcome.MaxAllocated < MaxAllocationPerCase, $"a case allocated {outcome.MaxAllocated} bytes");
        // Snapshots are checksummed end to end: a damaged one never loads.
        Assert.Equal(CasesPerLoader, outcome.Typed + outcome.Loaded);
        Assert.True(outcome.Loaded < CasesPerLoader / 100, $"{outcome.Loaded} damaged snapshots loaded");
    }

    [Fact]
    public void LogLoader_SeededCases_OnlyTypedErrorsOrACleanPrefix()
    {
        var (good, name) = GoodLog();
        int[] lengthFields = [20, 28, 20 + 8 + BitConverter.ToInt32(good, 20)];
        var outcome = Run(good, lengthFields, 1124, bytes => With(name, bytes), fs =>
        {
            using var t = PersistentTable.Open("fuzz", TablePath, (Row r) => r.Id, "r => r.Id",
                Plain with { Durability = DurabilityMode.Log }, MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
            // Whatever loaded is a prefix of the real history: only rows the writer wrote, intact.
            foreach (var row in t.ToList())
                Assert.True(row.Name == "name-" + row.Id || row.Name == "batch", $"invented row {row}");
            t.Persistence!.Abandon();
        });
        Report("log", outcome);
        Assert.True(outcome.Untyped == 0, outcome.FirstUntyped);
        Assert.Equal(0, outcome.Hangs);
        Assert.True(outcome.MaxAllocated < MaxAllocationPerCase, $"a case allocated {outcome.MaxAllocated} bytes");
        Assert.True(outcome.Typed > 0 && outcome.Loaded > 0, $"typed {outcome.Typed}, loaded {outcome.Loaded}");
    }
}
