using System.Globalization;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Crash;

/// <summary>
/// A follower process of the follow-promote harness: follows the table in the store, and at every step it
/// applies checks that it shows a state the owner had (see <see cref="Violations"/>). Commands on stdin,
/// answers on stdout: <c>run F</c> (a writer's keys start at F; "R"), <c>wait SEG OFF</c> (wait for a
/// position; "W ok"), <c>keys</c> ("K k1,k2,…"), <c>promote PATH BASE N</c> (become the owner, then insert
/// N keys from BASE, step 4; "P SEG OFF" or "P refused …"), <c>end</c>.
/// </summary>
internal static class FollowerChild
{
    private static readonly object s_out = new();

    // Where each writer's keys start: every writer thread inserts one key after another, step 4, each once
    // the one before was acknowledged, so in any state the owner had, a key present means the key 4 below
    // it is present too, unless that is below its writer's start.
    private static readonly SortedSet<long> s_runs = [];

    // Runs whose keys are written in no order (a promoted owner's random writes): their keys are not checked
    // for unbroken runs, only for their values. Under the lock of s_runs.
    private static readonly HashSet<long> s_free = [];

    // Keys of ordered runs this follower has shown: never deleted by anyone, so a state without one of them
    // would be older than one it showed. Under the lock of s_runs.
    private static readonly HashSet<long> s_shown = [];

    // When each key first became visible here (wall clock, ticks): the harness compares it with when the
    // writer acknowledged the key, for the write-to-visible lag across processes.
    private static readonly Dictionary<long, long> s_seen = [];

    public static int Run()
    {
        var options = CrashMode.MachineLoss.Options();
        options = options with { Remote = options.Remote! with { Holder = $"crash follower {Environment.ProcessId}" } };
        using var follower = PersistentTable.Follow("crash", (Entry e) => e.Key, options, new FollowerOptions { PollInterval = TimeSpan.FromMilliseconds(20) });
        follower.Applied += (_, e) =>
        {
            var now = DateTime.UtcNow.Ticks;
            lock (s_seen)
            {
                foreach (var change in e.Changes)
                {
                    if (change.Kind == FollowerChangeKind.Put) s_seen.TryAdd(change.Objects[0].Key, now);
                }
            }
            Report(Violations(follower), $"at {e.Position}");
        };
        Report(Violations(follower), "after the first load");
        PersistentEtsTable<long, Entry>? owner = null;
        Say("ready");
        while (Console.In.ReadLine() is { } line)
        {
            var words = line.Split(' ');
            switch (words[0])
            {
                case "run":
                    lock (s_runs) s_runs.Add(long.Parse(words[1], CultureInfo.InvariantCulture));
                    Say("R");
                    break;
                case "free":
                    lock (s_runs)
                    {
                        s_runs.Add(long.Parse(words[1], CultureInfo.InvariantCulture));
                        s_free.Add(long.Parse(words[1], CultureInfo.InvariantCulture));
                    }
                    Say("R");
                    break;
                case "wait":
                    var target = new LogPosition(long.Parse(words[1], CultureInfo.InvariantCulture), long.Parse(words[2], CultureInfo.InvariantCulture));
                    Say(follower.WaitForPosition(target, TimeSpan.FromSeconds(60)) ? "W ok" : $"W timeout at {follower.Position}, waiting for {target}");
                    break;
                case "keys":
                    Report(Violations(follower), "when asked for its keys");
                    Say("K " + string.Join(",", follower.ToList().Select(e => e.Key).Order()));  // one per object: a duplicate_bag repeats keys
                    break;
                case "status":
                    Say($"T {follower.Status.Loads}");
                    break;
                case "seen":
                    lock (s_seen) Say("S " + string.Join(",", s_seen.Select(kv => $"{kv.Key}:{kv.Value}")));
                    break;
                case "promote":
                    try
                    {
                        owner = follower.Promote(words[1]);
                    }
                    catch (RemoteTableOwnedException e)
                    {
                        Say($"P refused {e.Message}");
                        break;
                    }
                    RandomOperations(owner, long.Parse(words[2], CultureInfo.InvariantCulture), int.Parse(words[3], CultureInfo.InvariantCulture));
                    var at = owner.Persistence.LogPosition!.Value;
                    Say($"P {at.Segment} {at.Offset}");
                    break;
                case "end":
                    owner?.Dispose();
                    Say("E");
                    return 0;
            }
        }
        return 0;
    }

    /// <summary>
    /// Random single and multi-key writes, deletes of keys and of objects, on 40 keys from
    /// <paramref name="from"/>, step 4, every value the one its key implies (so a wrong one is still seen).
    /// </summary>
    private static void RandomOperations(EtsTable<long, Entry> owner, long from, int count)
    {
        var random = new Random((int)(from % int.MaxValue));
        long Key() => from + 4L * random.Next(40);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(10))
            {
                case < 4: owner.Insert(Entry.For(Key())); break;
                case < 6: owner.Insert(Enumerable.Range(0, 2 + random.Next(3)).Select(_ => Entry.For(Key())).ToList()); break;
                case < 8: owner.Delete(Key()); break;
                default: owner.DeleteObject(Entry.For(Key())); break;
            }
        }
    }

    /// <summary>What in the table no state of the owner had: a key without the one before it in its writer's run, or a wrong value.</summary>
    private static List<string> Violations(IReadOnlyEtsTable<long, Entry> table)
    {
        var entries = table.ToList();
        var keys = entries.Select(e => e.Key).ToHashSet();
        var found = new List<string>();
        lock (s_runs)
        {
            foreach (var e in entries)
            {
                if (e != Entry.For(e.Key)) found.Add($"key {e.Key} holds {e.Value}");
                var start = s_runs.GetViewBetween(long.MinValue, e.Key).DefaultIfEmpty(long.MinValue).Max();
                if (start == long.MinValue || s_free.Contains(start)) continue; // a run it was not told of, or one in no order
                if (e.Key - 4 >= start && !keys.Contains(e.Key - 4)) found.Add($"key {e.Key} without key {e.Key - 4}");
                s_shown.Add(e.Key);
            }
            foreach (var gone in s_shown.Where(k => !keys.Contains(k)).Take(5)) found.Add($"key {gone} was shown before and is gone: an older state");
        }
        return found;
    }

    private static void Report(List<string> violations, string when)
    {
        foreach (var v in violations.Take(5)) Say($"V {when}: {v}");
    }

    private static void Say(string line)
    {
        lock (s_out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
