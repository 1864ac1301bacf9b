using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace PersistentEts.Crash;

/// <summary>
/// Followers across processes, through the store (<c>PETS_CRASH_AZURE</c>): a writer process owns the table
/// on a machine of its own while a long-lived follower process tracks it; the writer is SIGKILLed and its
/// machine lost, the other follower process is promoted to owner and makes random writes (single and
/// multi-key inserts, deletes), and then: the promoted owner holds every write the killed owner
/// acknowledged and nothing never issued, the long-lived follower converges to exactly the promoted
/// owner's objects, and neither follower ever showed a state the owner never had.
/// </summary>
internal static class FollowerHarness
{
    /// <summary>Keys a promoted follower writes: above any a writer issues, a block per iteration.</summary>
    private const long PromotedKeys = 1L << 40;

    /// <summary>Random writes the promoted follower makes (see <see cref="FollowerChild"/>).</summary>
    private const int PromotedWrites = 60;

    private static readonly TableType[] Types = [TableType.Set, TableType.OrderedSet, TableType.Bag, TableType.DuplicateBag];

    public static int Run(int iterations, int seed)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pets-follow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var tally = new KillHarness.Tally();
        long promotions = 0, refused = 0, diverged = 0, waitTimeouts = 0;
        var violations = 0L;
        var epochTypes = new List<string>();
        var lags = new List<double>();
        var promotedRuns = new List<long>();
        int pausedRuns = 0, reloads = 0, trackerLoads = 0;
        FollowerProcess? tracker = null;
        try
        {
            var random = new Random(seed);
            var everIssued = new HashSet<long>();
            var everAcked = new HashSet<long>();
            var runs = new List<long>();
            long nextKey = 0;
            // Every type gets at least one epoch when there are four iterations or more.
            var epoch = Math.Clamp(iterations / Types.Length, 1, KillHarness.Epoch);
            for (var i = 0; i < iterations; i++)
            {
                if (i % epoch == 0)
                {
                    violations += tracker?.End() ?? 0;
                    CrashModes.RemotePrefix = $"{Guid.NewGuid():N}/epoch-{i / epoch}";
                    // Each epoch a table of the next type: the followers' checks hold for all four.
                    CrashModes.RemoteTableType = Types[i / epoch % Types.Length];
                    epochTypes.Add(CrashModes.RemoteTableType.ToEtsName());
                    everIssued.Clear();
                    everAcked.Clear();
                    runs.Clear();
                    promotedRuns.Clear();
                    nextKey = 0;
                    tracker = FollowerProcess.Start();
                    trackerLoads = 1;
                }
                var promotedFrom = PromotedKeys + i * 1_000L;
                runs.Add(nextKey);
                tracker!.Runs(runs);
                tracker.Free(promotedFrom);
                // Every fourth iteration the tracking follower's machine is paused (SIGSTOP) until the promoted
                // owner has closed, whose final save retires the log the follower was reading: it must reload.
                var paused = i % 4 == 3;
                if (paused) KillHarness.Signal(tracker.Id, "STOP");

                // Two followers track the writer while it runs: the long-lived one, and the one promoted after the kill.
                using var candidate = FollowerProcess.Start();
                candidate.Runs(runs);
                foreach (var free in promotedRuns.Append(promotedFrom)) candidate.Free(free);
                promotedRuns.Add(promotedFrom);

                var path = Path.Combine(dir, $"machine-{i}", "crash.pets");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var run = KillHarness.RunChild(path, CrashMode.MachineLoss, nextKey, random.Next(30, 400), i, "", tally);
                everIssued.UnionWith(run.Issued.Keys);
                everAcked.UnionWith(run.Acked.Keys);
                tally.Acknowledged += run.Acked.Count;
                if (everIssued.Count > 0) nextKey = everIssued.Where(k => k < PromotedKeys).DefaultIfEmpty(nextKey - 1).Max() + 1;
                KillHarness.LoseMachine(path); // the writer's machine is gone and its lease broken, as once it lapsed

                var promotedPath = Path.Combine(dir, $"machine-{i}-promoted", "crash.pets");
                Directory.CreateDirectory(Path.GetDirectoryName(promotedPath)!);
                var answer = candidate.Ask($"promote {promotedPath} {promotedFrom} {PromotedWrites}", "P");
                if (answer.StartsWith("P refused", StringComparison.Ordinal))
                {
                    refused++;
                    Console.Error.WriteLine($"iteration {i}: promotion refused: {answer}");
                    violations += candidate.End();
                    if (paused) KillHarness.Signal(tracker.Id, "CONT");
                    continue;
                }
                promotions++;
                // The promoted owner's random writes: issued, but checked by convergence rather than one by one.
                everIssued.UnionWith(Enumerable.Range(0, 40).Select(k => promotedFrom + 4L * k));
                var ownerObjects = candidate.Keys();
                var ownerKeys = ownerObjects.ToHashSet();
                var lost = everAcked.Where(k => !ownerKeys.Contains(k)).ToList();
                tally.LostAcknowledged += lost.Count;
                everAcked.ExceptWith(lost);
                tally.Phantom += ownerKeys.Count(k => !everIssued.Contains(k));
                if (lost.Count > 0) Console.Error.WriteLine($"iteration {i}: the promoted owner lacks {lost.Count} acknowledged keys, e.g. {lost[0]}");

                // Write-to-visible lag across processes: from the harness reading a key's acknowledgement to a
                // follower applying it (the promoted one: until its promotion; a paused one is not counted).
                foreach (var follower in paused ? [candidate] : new[] { tracker, candidate })
                {
                    foreach (var (key, visibleTicks) in follower.Seen())
                    {
                        if (run.Acked.TryGetValue(key, out var ackedMs))
                            lags.Add((new DateTime(visibleTicks, DateTimeKind.Utc) - run.StartedAt).TotalMilliseconds - ackedMs);
                    }
                }
                violations += candidate.End(); // the promoted owner closes: saved, uploaded, lease released, log retired
                if (paused) KillHarness.Signal(tracker.Id, "CONT");

                var waited = tracker.Ask($"wait {answer[2..]}", "W");
                if (waited != "W ok")
                {
                    waitTimeouts++;
                    Console.Error.WriteLine($"iteration {i}: the tracking follower did not reach the promoted owner's position: {waited}");
                }
                var trackerObjects = tracker.Keys();
                if (!trackerObjects.SequenceEqual(ownerObjects))
                {
                    diverged++;
                    Console.Error.WriteLine($"iteration {i}: the tracking follower holds {trackerObjects.Count} objects, the promoted owner {ownerObjects.Count}");
                }
                if (paused)
                {
                    pausedRuns++;
                    var loads = tracker.Loads();
                    if (loads > trackerLoads) reloads++;
                    trackerLoads = loads;
                }
                // Keys the writer issued but were not acknowledged are settled now: in the table or not, for good.
            }
            violations += tracker?.End() ?? 0;
            tracker = null;
            Console.WriteLine("mode=follow-promote");
            Console.WriteLine($"seed={seed}");
            Console.WriteLine($"iterations={iterations}");
            Console.WriteLine($"table_types={string.Join(",", epochTypes.Distinct())}");
            Console.WriteLine($"acknowledged={tally.Acknowledged}");
            Console.WriteLine($"promotions={promotions}");
            Console.WriteLine($"promotions_refused={refused}");
            Console.WriteLine($"lost_acknowledged={tally.LostAcknowledged}");
            Console.WriteLine($"phantom={tally.Phantom}");
            Console.WriteLine($"diverged={diverged}");
            Console.WriteLine($"wait_timeouts={waitTimeouts}");
            Console.WriteLine($"prefix_violations={violations}");
            Console.WriteLine($"paused_follower_runs={pausedRuns}");
            Console.WriteLine($"paused_follower_reloads={reloads}");
            lags.Sort();
            Console.WriteLine($"lag_samples={lags.Count}");
            if (lags.Count > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lag_ms_p50={lags[lags.Count / 2]:F1}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lag_ms_p99={lags[Math.Min(lags.Count - 1, (int)(lags.Count * 0.99))]:F1}"));
            }
            return refused + tally.LostAcknowledged + tally.Phantom + diverged + waitTimeouts + violations == 0 ? 0 : 1;
        }
        finally
        {
            tracker?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A follower child process, driven line by line.</summary>
    private sealed class FollowerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<string> _answers = [];
        private long _violations;

        private FollowerProcess(Process process)
        {
            _process = process;
            var reader = new Thread(() =>
            {
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    if (line.StartsWith("V ", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _violations);
                        Console.Error.WriteLine($"follower {process.Id}: {line}");
                    }
                    else _answers.Add(line);
                }
                _answers.CompleteAdding();
            }) { IsBackground = true };
            reader.Start();
        }

        public static FollowerProcess Start()
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(FollowerHarness).Assembly.Location);
            start.ArgumentList.Add("--follower");
            start.Environment["PETS_CRASH_REMOTE"] = CrashModes.RemotePrefix;
            start.Environment["PETS_CRASH_TYPE"] = CrashModes.RemoteTableType.ToString();
            var follower = new FollowerProcess(Process.Start(start)!);
            follower.Expect("ready");
            return follower;
        }

        /// <summary>Tells the follower where each writer's keys start (only new ones matter; repeats are harmless).</summary>
        public void Runs(IEnumerable<long> starts)
        {
            foreach (var s in starts) Ask($"run {s}", "R");
        }

        /// <summary>The key of every object the follower shows, in order (a duplicate_bag's repeat).</summary>
        public List<long> Keys()
        {
            var line = Ask("keys", "K");
            return line.Length <= 2 ? [] : [.. line[2..].Split(',').Select(k => long.Parse(k, CultureInfo.InvariantCulture))];
        }

        public int Id => _process.Id;

        /// <summary>How many snapshots the follower has loaded (1 + its reloads).</summary>
        public int Loads() => int.Parse(Ask("status", "T")[2..], CultureInfo.InvariantCulture);

        /// <summary>Tells the follower that keys from <paramref name="start"/> are written in no order.</summary>
        public void Free(long start) => Ask($"free {start}", "R");

        /// <summary>When each key became visible in the follower, as wall-clock ticks.</summary>
        public IEnumerable<(long Key, long Ticks)> Seen()
        {
            var line = Ask("seen", "S");
            if (line.Length <= 2) return [];
            return line[2..].Split(',').Select(p => p.Split(':')).Select(kv => (long.Parse(kv[0], CultureInfo.InvariantCulture), long.Parse(kv[1], CultureInfo.InvariantCulture)));
        }

        public string Ask(string command, string answerPrefix)
        {
            _process.StandardInput.WriteLine(command);
            _process.StandardInput.Flush();
            return Expect(answerPrefix);
        }

        private string Expect(string prefix)
        {
            if (!_answers.TryTake(out var line, TimeSpan.FromSeconds(120)))
                throw new TimeoutException($"follower {_process.Id} did not answer (waiting for '{prefix}')");
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
                throw new InvalidOperationException($"follower {_process.Id} answered '{line}', expected '{prefix}…'");
            return line;
        }

        /// <summary>Ends the follower (and a promoted owner's table); returns how many violations it reported.</summary>
        public long End()
        {
            if (!_process.HasExited)
            {
                Ask("end", "E");
                _process.WaitForExit();
            }
            return Interlocked.Read(ref _violations);
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }
}
