using System.Runtime.InteropServices;

namespace PersistentEts.Persistence.IO;

/// <summary>
/// Lowers the calling thread's scheduling priority as far as it goes, so that a save's encoding threads take
/// only the cores the application leaves idle. Without this, on a machine with as many busy application
/// threads as cores, the encoders took their share of every core and the application's writers ran at about
/// half their speed while saves ran back to back; a nice value ten above the writer's still left a bag's
/// writer at 0.58–0.75 of its idle speed (a thread ten below still gets a tenth of a contended core, and
/// both encoders took it), against 0.83–0.89 with the idle class (two alternating rounds).
/// </summary>
/// <remarks>
/// On Linux the runtime ignores <see cref="Thread.Priority"/>, so the thread joins the kernel's idle class
/// (<c>SCHED_IDLE</c>, as RocksDB's lowest compaction priority does), and where that is refused its nice
/// value goes to the lowest with <c>setpriority</c>; an unprivileged process may always lower its own
/// threads. Elsewhere <see cref="Thread.Priority"/> goes to <see cref="ThreadPriority.Lowest"/>. A thread so
/// low may wait long on a machine whose cores are all busy, so it must never hold a lock the application
/// waits for, and a save must not depend on it alone: in <c>BlockEncoder</c> only the thread that saves
/// reads the table, and it encodes too when the encoding threads get no processor time.
/// Best effort: a platform that refuses, or a C library without the calls, leaves the priority as it was,
/// and the save goes on.
/// Only for threads the library made itself and that end with their work, never for pool threads.
/// </remarks>
internal static partial class BackgroundThreadPriority
{
    private const int LowestPriorityNice = 19;

    /// <summary>Linux's <c>SCHED_IDLE</c> policy: the thread gets a core when no other thread wants it, and beyond that only a sliver of time.</summary>
    private const int SchedIdle = 5;

    private const int PrioProcess = 0;

    /// <summary>Lowers the calling thread's priority as far as the platform lets it; never throws.</summary>
    public static void LowerCurrentThread()
    {
        try
        {
            if (OperatingSystem.IsLinux()) LowerLinuxThread();
            else Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or ThreadStateException or PlatformNotSupportedException)
        {
            // A C library without these calls, or a thread already ending: the save runs at normal priority.
        }
    }

    private static void LowerLinuxThread()
    {
        var tid = GetThreadId();
        // The idle class takes a static priority of zero; sched_param is that one int.
        var staticPriority = 0;
        if (SetScheduler(tid, SchedIdle, ref staticPriority) == 0) return;
        _ = SetPriority(PrioProcess, tid, LowestPriorityNice);
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int param);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
