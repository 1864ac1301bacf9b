using System.Globalization;
using PersistentEts.Crash;

// Kill harness: `--mode snapshot|wal-always|wal-interval|dispose-race|two-owners --iterations N [--seed S]` runs
// the parent; `--child PATH MODE FIRSTKEY [VARIANT ENDAFTERMS END]` is the writer the parent starts.
if (args.Length >= 4 && args[0] == "--child")
{
    return ChildWriter.Run(args[1], CrashModes.Parse(args[2]), long.Parse(args[3], CultureInfo.InvariantCulture),
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0,
        args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 0,
        args.Length > 6 ? args[6] : "");
}
return KillHarness.Run(args);
