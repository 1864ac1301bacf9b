using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PersistentEts.Hosting;

/// <summary>
/// Opens every registered table when the host starts (a damaged file fails the start, loudly) and flushes
/// and closes them when it stops gracefully.
/// </summary>
internal sealed class PersistentEtsHostedService(IEnumerable<IHostedTable> tables, ILogger<PersistentEtsHostedService> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables) table.Open();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            try
            {
                table.Close();
            }
            catch (EtsException e)
            {
                // Keep closing the others; the last good file of this one is unchanged.
                log.LogError(e, "Closing persistent table {Table} failed", table.Name);
            }
        }
        return Task.CompletedTask;
    }
}
