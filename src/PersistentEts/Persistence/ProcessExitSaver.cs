using System.Collections.Concurrent;

namespace PersistentEts.Persistence;

/// <summary>
/// Saves every live persistent table when the process exits gracefully. .NET raises
/// <see cref="AppDomain.ProcessExit"/> on normal exit and on SIGTERM, so both are covered; SIGKILL and
/// crashes are not (that is what the last periodic save is for).
/// </summary>
internal static class ProcessExitSaver
{
    private static readonly ConcurrentDictionary<TablePersistence, byte> s_live = new();
    private static int s_hooked;

    public static void Register(TablePersistence p)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => SaveAll();
        s_live[p] = 0;
    }

    public static void Unregister(TablePersistence p) => s_live.TryRemove(p, out _);

    private static void SaveAll()
    {
        foreach (var p in s_live.Keys) p.SaveAndStop(rethrow: false);
    }
}
