using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs.Specialized;

namespace PersistentEts.Crash;

/// <summary>
/// Starts the writer, kills it with SIGKILL at a random moment (or, in dispose-race, lets it end its table
/// while its writers run; in two-owners, first tries to open the table itself), reopens the table and checks
/// it against what the writer said: every acknowledged key present, nothing present that was never issued.
/// </summary>
internal static class KillHarness
{
    internal const int Epoch = 20;

    public static int Run(string[] args)
    {
        var mode = CrashMode.WalAlways;
        var iterations = 20;
        var seed = Environment.TickCount;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--mode") mode = CrashModes.Parse(args[i + 1]);
            if (args[i] == "--iterations") iterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--seed") seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }
        var dir = Path.Combine(Path.GetTempPath(), "pets-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var result = new Tally();
            var random = new Random(seed);
            var path = "";
            var everIssued = new HashSet<long>();
            var everAcked = new HashSet<long>();
            long nextKey = 0;
            for (var i = 0; i < iterations; i++)
            {
                if (mode.IsRemote())
                {
                    // Every run on a machine of its own; the table's history lives in the store alone.
                    if (i % Epoch == 0) CrashModes.RemotePrefix = $"{Guid.NewGuid():N}/epoch-{i / Epoch}";
                    path = Path.Combine(dir, $"machine-{i}", "crash.pets");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                }
                if (i % Epoch == 0)
                {
                    // A fresh table every few iterations: within an epoch each run recovers what all the
                    // earlier runs left, and the checks stay proportional to the epoch, not the whole run.
                    if (!mode.IsRemote()) path = Path.Combine(dir, $"crash-{i / Epoch}.pets");
                    everIssued.Clear();
                    everAcked.Clear();
                    nextKey = 0;
                }
                var variant = i;
                var end = CrashModes.Ends[random.Next(CrashModes.Ends.Length)];
                var run = RunChild(path, mode, nextKey, random.Next(30, 400), variant, end, result);
                everIssued.UnionWith(run.Issued.Keys);
                everAcked.UnionWith(run.Acked.Keys);
                nextKey = everIssued.Count == 0 ? nextKey : everIssued.Max() + 1;
                if (mode.IsRemote())
                {
                    LoseMachine(path);
                    path = Path.Combine(dir, $"machine-{i}-check", "crash.pets");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                }
                Check(path, mode, variant, run, everIssued, everAcked, result);
            }
            Console.WriteLine($"mode={mode.Name()}");
            Console.WriteLine($"seed={seed}");
            result.Print(iterations);
            return result.FailedOpens + result.CorruptLoads + result.LostAcknowledged + result.Phantom
                + result.SecondOwnerOpened + result.ChildFailures + result.FencedAcknowledged + result.FencedInStore == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The killed writer's machine is gone: its directory deleted, its lease broken.</summary>
    internal static void LoseMachine(string path)
    {
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        try
        {
            CrashModes.RemoteContainer().GetBlobClient($"{CrashModes.RemotePrefix}/manifest.json").GetBlobLeaseClient().Break(TimeSpan.Zero);
        }
        catch (global::Azure.RequestFailedException e) when (e.Status is 404 or 409)
        {
            // No manifest yet (killed before its open took the lease), or no lease to break.
        }
    }

    /// <param name="Issued">Keys the writer said it was about to insert, with when the harness read it (ms).</param>
    /// <param name="Acked">Keys acknowledged, likewise.</param>
    /// <param name="KilledAtMs">When the writer was killed.</param>
    /// <param name="ResumedAtMs">Paused-owner: when the writer was resumed after losing its lease; keys it issued later must come to nothing.</param>
    internal sealed record ChildRun(Dictionary<long, long> Issued, Dictionary<long, long> Acked, long KilledAtMs, long ResumedAtMs = long.MaxValue)
    {
        /// <summary>The wall-clock time the run's clock started: <see cref="Acked"/>'s times are milliseconds after it.</summary>
        public DateTime StartedAt { get; init; }
    }

    internal static ChildRun RunChild(string path, CrashMode mode, long firstKey, int killAfterMs, int variant, string end, Tally tally)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(KillHarness).Assembly.Location);
        start.ArgumentList.Add("--child");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(mode.Name());
        start.ArgumentList.Add(firstKey.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(variant.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(killAfterMs.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(end);
        start.Environment["PETS_CRASH_REMOTE"] = CrashModes.RemotePrefix;
        start.Environment["PETS_CRASH_TYPE"] = CrashModes.RemoteTableType.ToString();
        var startedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var issued = new Dictionary<long, long>();
        var acked = new Dictionary<long, long>();
        using var process = Process.Start(start)!;
        var ready = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            // Everything the child wrote before it died is still in the pipe.
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (line == "ready") ready.Set();
                else if (line.StartsWith("I ", StringComparison.Ordinal))
                {
                    lock (issued) issued[long.Parse(line[2..], CultureInfo.InvariantCulture)] = clock.ElapsedMilliseconds;
                }
                else if (line.StartsWith("A ", StringComparison.Ordinal))
                {
                    lock (acked) acked[long.Parse(line[2..], CultureInfo.InvariantCulture)] = clock.ElapsedMilliseconds;
                }
            }
            ready.Set();
        });
        reader.Start();
        ready.Wait(TimeSpan.FromSeconds(60));
        if (mode == CrashMode.DisposeRace)
        {
            // The child ends its own table and exits; a child that does not is a hang, and a failure.
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                tally.ChildFailures++;
                Console.Error.WriteLine($"dispose-race child did not end ({end}, variant {variant % 3})");
                process.Kill();
            }
            process.WaitForExit();
            reader.Join();
            if (process.ExitCode != 0)
            {
                tally.ChildFailures++;
                Console.Error.WriteLine($"dispose-race child exited with {process.ExitCode} ({end}, variant {variant % 3})");
            }
            tally.Ends[end] = tally.Ends.GetValueOrDefault(end) + 1;
            return new ChildRun(issued, acked, clock.ElapsedMilliseconds);
        }
        if (mode == CrashMode.PausedOwner)
        {
            Thread.Sleep(killAfterMs);
            var resumedAt = TakeOverFromPausedWriter(process, clock, issued, acked, tally);
            Thread.Sleep(1_000); // the resumed writer runs on, fenced
            process.Kill();
            process.WaitForExit();
            reader.Join();
            return new ChildRun(issued, acked, clock.ElapsedMilliseconds, resumedAt);
        }
        if (mode == CrashMode.TwoOwners)
        {
            Thread.Sleep(killAfterMs / 2);
            ProbeSecondOwner(path, process.Id, tally);
            Thread.Sleep(killAfterMs - killAfterMs / 2);
        }
        else
        {
            Thread.Sleep(killAfterMs);
        }
        var killedAt = clock.ElapsedMilliseconds;
        try
        {
            process.Kill(); // SIGKILL on Linux: no finalizers, no exit handlers, no flushing
        }
        catch (InvalidOperationException)
        {
            // Already gone (it failed to open): the check below reports it.
        }
        process.WaitForExit();
        reader.Join();
        return new ChildRun(issued, acked, killedAt) { StartedAt = startedAt };
    }

    /// <summary>Keys the harness writes as the second owner: far above any the writer issues.</summary>
    private const long SecondOwnerKeys = 1L << 40;

    /// <summary>
    /// Pauses the writer, waits for its lease to lapse by itself, takes the table on a directory of its own
    /// and writes to it as the new owner, then resumes the writer; returns when it did. The new owner's keys
    /// count as issued and acknowledged.
    /// </summary>
    private static long TakeOverFromPausedWriter(Process writer, Stopwatch clock, Dictionary<long, long> issued, Dictionary<long, long> acked, Tally tally)
    {
        Signal(writer.Id, "STOP");
        var options = CrashMode.PausedOwner.Options();
        Thread.Sleep(options.Remote!.LeaseDuration + TimeSpan.FromSeconds(2));
        var path = Path.Combine(Path.GetTempPath(), "pets-crash-owner-" + Guid.NewGuid().ToString("N"), "crash.pets");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            using (var second = PersistentTable.New("crash", path, (Entry e) => e.Key, options with { PersistEvery = TimeSpan.FromHours(1) }))
            {
                tally.TakeOvers++;
                for (var k = SecondOwnerKeys; k < SecondOwnerKeys + 20; k++)
                {
                    lock (issued) issued[k] = clock.ElapsedMilliseconds;
                    second.Insert(Entry.For(k));
                    lock (acked) acked[k] = clock.ElapsedMilliseconds;
                }
                Signal(writer.Id, "CONT"); // the old owner wakes up while the new one still holds the table
                var resumedAt = clock.ElapsedMilliseconds;
                Thread.Sleep(500);
                return resumedAt;
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    internal static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Opens the table the child is writing to: must be refused, naming the child.</summary>
    private static void ProbeSecondOwner(string path, int childPid, Tally tally)
    {
        try
        {
            var second = PersistentTable.New("crash", path, (Entry e) => e.Key, CrashMode.TwoOwners.Options());
            tally.SecondOwnerOpened++;
            Console.Error.WriteLine("a second owner opened the table while the first was writing");
            second.Dispose();
        }
        catch (TableFileInUseException e) when (e.HolderProcessId == childPid)
        {
            tally.SecondOwnerRefused++;
        }
        catch (TableFileInUseException e)
        {
            tally.SecondOwnerRefused++;
            tally.HolderUnnamed++;
            Console.Error.WriteLine($"refused, but naming pid {e.HolderProcessId?.ToString(CultureInfo.InvariantCulture) ?? "none"} instead of {childPid}: {e.Message}");
        }
    }

    private static void Check(string path, CrashMode mode, int variant, ChildRun run, HashSet<long> everIssued, HashSet<long> everAcked, Tally tally)
    {
        EtsTable<long, Entry> table;
        try
        {
            table = PersistentTable.New("crash", path, (Entry e) => e.Key, mode.Options(variant) with { PersistEvery = TimeSpan.FromHours(1) });
        }
        catch (Exception e) when (e is SnapshotFileException or LogDamagedException)
        {
            tally.CorruptLoads++;
            Console.Error.WriteLine($"corrupt load: {e.Message}");
            return;
        }
        catch (Exception e)
        {
            tally.FailedOpens++;
            Console.Error.WriteLine($"failed open: {e}");
            return;
        }
        using (table)
        {
            long firstLostAck = long.MaxValue;
            var lost = new List<long>();
            foreach (var key in everAcked)
            {
                if (table.TryLookup(key, out var e) && e == Entry.For(key)) continue;
                lost.Add(key);
                if (run.Acked.TryGetValue(key, out var at)) firstLostAck = Math.Min(firstLostAck, at);
            }
            // Each lost key is counted once, in the iteration that lost it.
            tally.LostAcknowledged += lost.Count;
            everAcked.ExceptWith(lost);
            if (firstLostAck != long.MaxValue) tally.MaxLossMs = Math.Max(tally.MaxLossMs, run.KilledAtMs - firstLostAck);
            foreach (var e in table.ToList())
            {
                if (!everIssued.Contains(e.Key) || e != Entry.For(e.Key)) tally.Phantom++;
                // Issued by a writer after it had lost the table: the store must never have taken it.
                if (run.Issued.TryGetValue(e.Key, out var at) && at > run.ResumedAtMs && e.Key < SecondOwnerKeys) tally.FencedInStore++;
            }
            foreach (var key in run.Acked.Keys)
            {
                if (key < SecondOwnerKeys && run.Issued.TryGetValue(key, out var issuedAt) && issuedAt > run.ResumedAtMs) tally.FencedAcknowledged++;
            }
            tally.Acknowledged += run.Acked.Count;
        }
        // Keys issued but not acknowledged may or may not be there; from now on they count as issued only.
    }

    internal sealed class Tally
    {
        public int FailedOpens;
        public int CorruptLoads;
        public long LostAcknowledged;
        public long Phantom;
        public long MaxLossMs;
        public long Acknowledged;
        public int SecondOwnerOpened;
        public int SecondOwnerRefused;
        public int HolderUnnamed;
        public int ChildFailures;
        public int TakeOvers;
        public long FencedAcknowledged;
        public long FencedInStore;
        public readonly SortedDictionary<string, int> Ends = new(StringComparer.Ordinal);

        public void Print(int iterations)
        {
            Console.WriteLine($"iterations={iterations}");
            Console.WriteLine($"acknowledged={Acknowledged}");
            Console.WriteLine($"failed_opens={FailedOpens}");
            Console.WriteLine($"corrupt_loads={CorruptLoads}");
            Console.WriteLine($"lost_acknowledged={LostAcknowledged}");
            Console.WriteLine($"phantom={Phantom}");
            Console.WriteLine($"max_loss_ms={MaxLossMs}");
            Console.WriteLine($"child_failures={ChildFailures}");
            Console.WriteLine($"second_owner_opened={SecondOwnerOpened}");
            Console.WriteLine($"second_owner_refused={SecondOwnerRefused}");
            Console.WriteLine($"holder_unnamed={HolderUnnamed}");
            Console.WriteLine($"take_overs={TakeOvers}");
            Console.WriteLine($"fenced_acknowledged={FencedAcknowledged}");
            Console.WriteLine($"fenced_in_store={FencedInStore}");
            foreach (var (end, n) in Ends) Console.WriteLine($"ends_{end}={n}");
        }
    }
}
