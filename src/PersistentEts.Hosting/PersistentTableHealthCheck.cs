using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PersistentEts.Hosting;

/// <summary>
/// One hosted table's health, for orchestrators: Unhealthy until it is loaded (and for good when its open
/// failed, or once it is closed); Degraded when its last save failed, or when its file has not been known
/// to be up to date for longer than <c>degradedAfterPeriods</c> save periods, or when its remote store
/// (<see cref="Persistence.PersistentTableOptions.Remote"/>) failed its last upload or took its lease;
/// Healthy otherwise. An idle table is up to date at every period that finds nothing to save, so idleness
/// alone never degrades it.
/// </summary>
internal sealed class PersistentTableHealthCheck(IHostedTable table, double degradedAfterPeriods, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["table"] = table.Name, ["state"] = table.State.ToString() };
        return Task.FromResult(table.State switch
        {
            HostedTableState.NotOpened or HostedTableState.Loading =>
                new HealthCheckResult(context.Registration.FailureStatus, $"Table '{table.Name}' is not loaded yet.", null, data),
            HostedTableState.Failed =>
                new HealthCheckResult(context.Registration.FailureStatus, $"Table '{table.Name}' could not be opened: {table.OpenFailure?.Message}", table.OpenFailure, data),
            HostedTableState.Closed =>
                new HealthCheckResult(context.Registration.FailureStatus, $"Table '{table.Name}' is closed.", null, data),
            _ => OfOpenTable(data),
        });
    }

    private HealthCheckResult OfOpenTable(Dictionary<string, object> data)
    {
        var persistence = table.Persistence!;
        var now = clock.GetUtcNow();
        data["objects"] = table.Count;
        data["path"] = persistence.Path;
        if (persistence.LastSave is { } last) data["lastSaveObjects"] = last.Objects;
        var age = persistence.UpToDateAt is { } upToDate ? now - upToDate : TimeSpan.Zero;
        data["upToDateAgeSeconds"] = Math.Round(age.TotalSeconds, 3);
        if (persistence.LastError is { } error)
        {
            data["lastError"] = error.Message;
            return HealthCheckResult.Degraded($"Table '{table.Name}': its last save failed ({error.Message}); the last good file is unchanged.", error, data);
        }
        if (persistence.RemoteGeneration is { } generation) data["remoteGeneration"] = generation;
        if (persistence.LastRemoteError is { } remote)
        {
            data["lastRemoteError"] = remote.Message;
            return HealthCheckResult.Degraded($"Table '{table.Name}': its remote store is behind ({remote.Message}); local saves stand.", remote, data);
        }
        var bound = table.PersistEvery * degradedAfterPeriods;
        if (age > bound)
        {
            return HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"Table '{table.Name}': its file has not been up to date for {age.TotalSeconds:F1} s, more than {degradedAfterPeriods} save periods ({bound.TotalSeconds:F1} s)."), null, data);
        }
        return HealthCheckResult.Healthy($"Table '{table.Name}' is loaded and saving.", data);
    }
}
