using System.Globalization;
using PersistentEts.Crash;

// Kill harness: `--mode snapshot|wal-always|wal-interval|dispose-race|two-owners|machine-loss|paused-owner|
// machine-loss-interval|follow-promote --iterations N [--seed S]` runs the parent (follow-promote: FollowerHarness);
// `--follower` is a follower process of follow-promote; `--child PATH MODE FIRSTKEY [VARIANT ENDAFTERMS END]` is the writer the parent starts.
if (args.Length >= 4 && args[0] == "--child")
{
    return ChildWriter.Run(args[1], CrashModes.Parse(args[2]), long.Parse(args[3], CultureInfo.InvariantCulture),
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0,
        args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 0,
        args.Length > 6 ? args[6] : "");
}
if (args.Length >= 1 && args[0] == "--follower") return FollowerChild.Run();
if (args.Contains("follow-promote"))
{
    var at = Array.IndexOf(args, "--iterations");
    var seedAt = Array.IndexOf(args, "--seed");
    return FollowerHarness.Run(at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 100,
        seedAt >= 0 ? int.Parse(args[seedAt + 1], CultureInfo.InvariantCulture) : Environment.TickCount);
}
return KillHarness.Run(args);
