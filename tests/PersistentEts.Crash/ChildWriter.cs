namespace PersistentEts.Crash;

/// <summary>
/// The process that gets killed: four threads insert fresh keys and report on stdout, before each
/// insert, "I key" (issued) and, once it is acknowledged, "A key" (log modes: the insert returned;
/// snapshot mode: a Flush covering it returned).
/// </summary>
internal static class ChildWriter
{
    private const int Threads = 4;
    private static readonly object s_out = new();

    public static int Run(string path, CrashMode mode, long firstKey)
    {
        var table = PersistentTable.New("crash", path, (Entry e) => e.Key, mode.Options());
        Say("ready");
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() => Write(table, mode, firstKey + t))).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join(); // never: the parent kills us
        return 0;
    }

    private static void Write(EtsTable<long, Entry> table, CrashMode mode, long key)
    {
        var unacknowledged = new List<long>();
        for (; ; key += Threads)
        {
            Say($"I {key}");
            table.Insert(Entry.For(key));
            if (mode != CrashMode.Snapshot)
            {
                Say($"A {key}");
                continue;
            }
            unacknowledged.Add(key);
            if (unacknowledged.Count < 50) continue;
            table.Persistence!.Flush();
            foreach (var k in unacknowledged) Say($"A {k}");
            unacknowledged.Clear();
        }
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
