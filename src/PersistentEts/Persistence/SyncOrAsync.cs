using System.Diagnostics;

namespace PersistentEts.Persistence;

/// <summary>
/// How code that serves both a blocking and an awaiting caller waits. Such code takes <c>async</c>: with
/// it, every wait is awaited and frees the thread; without it, every wait blocks, so the returned value task
/// has completed by the time it is returned (<see cref="Completed{T}"/>). One body, two ways to wait, as
/// dotnet/runtime's streams do with <c>useAsync</c>.
/// </summary>
internal static class SyncOrAsync
{
    /// <summary>The result of a call made with <c>async: false</c>, which never awaits anything and so has completed.</summary>
    public static T Completed<T>(ValueTask<T> synchronous)
    {
        Debug.Assert(synchronous.IsCompleted, "a call made with async: false awaited something");
        return synchronous.GetAwaiter().GetResult();
    }

    /// <summary>Awaits <paramref name="task"/>, or blocks until it is done.</summary>
    public static async ValueTask Wait(Task task, bool async)
    {
        if (async) await task.ConfigureAwait(false);
        else task.GetAwaiter().GetResult();
    }

    /// <summary>Awaits <paramref name="task"/>, or blocks until it is done.</summary>
    public static async ValueTask<T> Wait<T>(Task<T> task, bool async) => async ? await task.ConfigureAwait(false) : task.GetAwaiter().GetResult();

    /// <summary>Blocks until <paramref name="task"/> is done (for callers that only block, such as a table's open).</summary>
    public static T Block<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Blocks until <paramref name="task"/> is done.</summary>
    public static void Block(Task task) => task.GetAwaiter().GetResult();

    /// <summary>A call with no asynchronous form (fsync): on a pool thread when the caller awaits, inline otherwise.</summary>
    public static ValueTask Blocking(Action call, bool async)
    {
        if (async) return new ValueTask(Task.Run(call));
        call();
        return ValueTask.CompletedTask;
    }
}
