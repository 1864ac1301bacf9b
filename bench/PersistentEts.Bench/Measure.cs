using System.Diagnostics;

namespace PersistentEts.Bench;

/// <summary>Timing helpers: medians over repeated runs, and two threads splitting a range of work.</summary>
internal static class Measure
{
    public const int Threads = 2;

    /// <summary>The median of <paramref name="runs"/> timings of <paramref name="action"/>, in seconds.</summary>
    public static double MedianSeconds(int runs, Action action, Action? before = null)
    {
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            before?.Invoke();
            var sw = Stopwatch.StartNew();
            action();
            times[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }

    /// <summary>
    /// Times two contenders alternately, A B A B …, and returns each one's median in seconds, so that both
    /// see the same machine conditions (a 2-core machine's noise otherwise lands on one side).
    /// </summary>
    public static (double A, double B) Alternating(int runs, Action a, Action b, Action? beforeA = null, Action? beforeB = null)
    {
        var ta = new double[runs];
        var tb = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            ta[i] = MedianSeconds(1, a, beforeA);
            tb[i] = MedianSeconds(1, b, beforeB);
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[runs / 2], tb[runs / 2]);
    }

    /// <summary>
    /// The process CPU time (all threads, user and kernel) each of two contenders took, in seconds: each
    /// one's median of <paramref name="runs"/>, taken alternately, A B A B …, each after a full collection.
    /// Alternately, as <see cref="Alternating"/> times them, because what comes in spells of seconds (the
    /// runtime compiling in the background, the machine's noise) otherwise lands on one side: five runs of
    /// one side, then five of the other.
    /// </summary>
    public static (double A, double B) CpuSecondsAlternating(int runs, Action a, Action b)
    {
        var ta = new double[runs];
        var tb = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            ta[i] = CpuSeconds(process, a);
            tb[i] = CpuSeconds(process, b);
        }
        Array.Sort(ta);
        Array.Sort(tb);
        return (ta[runs / 2], tb[runs / 2]);
    }

    private static double CpuSeconds(Process process, Action action)
    {
        GC.Collect();
        process.Refresh();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }

    /// <summary>Runs <paramref name="body"/>(from, to) on <see cref="Threads"/> threads over halves of 0..n.</summary>
    public static void Split(int n, Action<int, int> body)
    {
        var threads = new Thread[Threads];
        for (var t = 0; t < Threads; t++)
        {
            var from = n / Threads * t;
            var to = t == Threads - 1 ? n : n / Threads * (t + 1);
            threads[t] = new Thread(() => body(from, to));
            threads[t].Start();
        }
        foreach (var th in threads) th.Join();
    }

    /// <summary>Random keys in 0..n, fixed by seed, so every run and every side looks up the same keys.</summary>
    public static int[] Keys(int n, int count, int seed)
    {
        var r = new Random(seed);
        var keys = new int[count];
        for (var i = 0; i < count; i++) keys[i] = r.Next(n);
        return keys;
    }
}
