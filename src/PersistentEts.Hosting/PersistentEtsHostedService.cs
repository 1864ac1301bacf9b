using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PersistentEts.Hosting;

/// <summary>
/// Opens every registered table when the host starts (a damaged file fails the start, loudly) and saves
/// and closes them once the host has stopped: in <see cref="StoppedAsync"/>, which the host calls after
/// every hosted service's <c>StopAsync</c>, so a worker registered before or after the tables can still
/// write while it stops.
/// </summary>
internal sealed class PersistentEtsHostedService(IEnumerable<IHostedTable> tables, ILogger<PersistentEtsHostedService> log) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables) table.Open();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            try
            {
                await table.CloseAsync().ConfigureAwait(false);
            }
            catch (EtsException e)
            {
                // Keep closing the others; this one stays open and its last good file is unchanged.
                log.LogError(e, "Closing persistent table {Table} failed", table.Name);
            }
        }
    }
}
