namespace PersistentEts.Crash;

/// <summary>
/// The child process: four threads insert fresh keys and report on stdout, before each insert, "I key"
/// (issued) and, once it is acknowledged, "A key" (log modes and dispose-race: the insert returned;
/// snapshot mode: a Flush covering it returned). Killed by the parent, or, in dispose-race, ending its
/// table itself while the writers run.
/// </summary>
internal static class ChildWriter
{
    private const int Threads = 4;
    private static readonly object s_out = new();

    /// <param name="path">The table file.</param>
    /// <param name="mode">The mode under test.</param>
    /// <param name="firstKey">The first key to issue.</param>
    /// <param name="variant">Dispose-race: which durability (see <see cref="CrashModes.Options"/>).</param>
    /// <param name="endAfterMs">Dispose-race: how long the writers run before the table's end.</param>
    /// <param name="end">Dispose-race: how the table ends (<see cref="CrashModes.Ends"/>).</param>
    public static int Run(string path, CrashMode mode, long firstKey, int variant, int endAfterMs, string end)
    {
        using var lifetime = new CancellationTokenSource();
        var table = PersistentTable.New("crash", path, (Entry e) => e.Key, mode.Options(variant),
            ownerLifetime: end == "token" ? lifetime.Token : default);
        Say("ready");
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() => Write(table, mode, firstKey + t))).ToArray();
        foreach (var th in threads) th.Start();
        if (mode != CrashMode.DisposeRace)
        {
            foreach (var th in threads) th.Join(); // never: the parent kills us
            return 0;
        }
        Thread.Sleep(endAfterMs);
        switch (end)
        {
            case "dispose": table.Dispose(); break;
            case "token": lifetime.Cancel(); break;
            case "delete": table.DeleteTable(); break;
            default: Environment.Exit(0); break; // the process-exit save races the writers
        }
        foreach (var th in threads) th.Join();
        Say("ended");
        return 0;
    }

    private static void Write(EtsTable<long, Entry> table, CrashMode mode, long key)
    {
        var unacknowledged = new List<long>();
        for (; ; key += Threads)
        {
            Say($"I {key}");
            try
            {
                table.Insert(Entry.For(key));
            }
            catch (TableDestroyedException)
            {
                return; // the owner ended: this insert was refused, not acknowledged
            }
            catch (EtsException e)
            {
                Console.Error.WriteLine($"writer error: {e.GetType().Name}: {e.Message}");
                return;
            }
            if (mode.AcknowledgesOnReturn())
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
