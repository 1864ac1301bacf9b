using System.Runtime.InteropServices;

namespace PersistentEts.Persistence.IO;

/// <summary>
/// Lowers the calling thread's scheduling priority, so that a save's encoding threads take the cores the
/// application leaves idle and give way to its own threads when they want them. Without this, on a machine
/// with as many busy application threads as cores, the encoders took their share of every core and the
/// application's writers ran at about half their speed while saves ran back to back.
/// </summary>
/// <remarks>
/// On Linux the runtime ignores <see cref="Thread.Priority"/>, so the thread's nice value is raised with
/// <c>setpriority</c> on its thread id (an unprivileged process may always lower its own priority). Elsewhere
/// <see cref="Thread.Priority"/> does it. Best effort: a platform that refuses, or a C library without the
/// calls, leaves the priority as it was, and the save goes on.
/// Only for threads the library made itself and that end with their work, never for pool threads.
/// </remarks>
internal static partial class BackgroundThreadPriority
{
    /// <summary>How much the nice value is raised on Linux: a thread ten below gets about nine tenths of a contended core.</summary>
    private const int LinuxNiceStep = 10;

    private const int LowestPriorityNice = 19;

    private const int PrioProcess = 0;

    /// <summary>Lowers the calling thread's priority as far as the platform lets it; never throws.</summary>
    public static void LowerCurrentThread()
    {
        try
        {
            if (OperatingSystem.IsLinux()) RaiseLinuxNice();
            else Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or ThreadStateException or PlatformNotSupportedException)
        {
            // A C library without these calls, or a thread already ending: the save runs at normal priority.
        }
    }

    private static void RaiseLinuxNice()
    {
        var tid = GetThreadId();
        // Relative to the thread's own nice value, so a process already started below normal stays below
        // its own threads. getpriority returns the nice value itself; -1 with an error set means it failed.
        var nice = GetPriority(PrioProcess, tid);
        if (nice == -1 && Marshal.GetLastPInvokeError() != 0) return;
        _ = SetPriority(PrioProcess, tid, Math.Min(LowestPriorityNice, nice + LinuxNiceStep));
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
