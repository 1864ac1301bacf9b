using BenchmarkDotNet.Running;
using PersistentEts.Bench;

// Two entry points: the whole-process benchmark (--records/--type) and the BenchmarkDotNet suites (anything else).
if (args.Any(a => a is "--records" or "--type"))
    return WholeProcess.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Row).Assembly).Run(args);
return 0;
