using PersistentEts.Crash;

// Kill harness: `--mode snapshot|wal-always|wal-interval --iterations N [--seed S]` runs the parent;
// `--child PATH MODE FIRSTKEY` is the writer the parent starts and kills.
if (args.Length >= 1 && args[0] == "--child") return ChildWriter.Run(args[1], CrashModes.Parse(args[2]), long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
return KillHarness.Run(args);
