using System.Collections.Concurrent;

namespace PersistentEts.Persistence;

/// <summary>
/// Saves every live persistent table when the process ends gracefully: on normal exit
/// (<see cref="AppDomain.ProcessExit"/>) and on SIGTERM, which .NET does not turn into ProcessExit by
/// itself. SIGKILL and crashes cannot be caught; that is what periodic saves and the log are for.
/// </summary>
internal static class ProcessExitSaver
{
    private static readonly ConcurrentDictionary<TablePersistence, byte> s_live = new();
    private static int s_hooked;

    // Kept alive for the process's lifetime: disposing it would unregister the handler.
    private static System.Runtime.InteropServices.PosixSignalRegistration? s_sigterm;

    public static void Register(TablePersistence p)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => SaveAll();
            // Flush without stopping and without cancelling the signal: if nothing else cancels it, the
            // process ends with every table saved; if a host cancels it to shut down gracefully, the tables
            // go on and are saved again when their owners end.
            s_sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => FlushAll());
        }
        s_live[p] = 0;
    }

    private static void FlushAll()
    {
        foreach (var p in s_live.Keys)
        {
            try
            {
                p.Flush();
            }
            catch (EtsException)
            {
                // Logged and kept in LastError by the save itself; the other tables still get saved.
            }
        }
    }

    public static void Unregister(TablePersistence p) => s_live.TryRemove(p, out _);

    private static void SaveAll()
    {
        foreach (var p in s_live.Keys) p.CloseForExit();
    }
}
