using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PersistentEts.Hosting;

/// <summary>
/// One follower's health: Unhealthy when it cannot be opened; Degraded while it lags past its bound or its
/// store failed its last poll (it keeps trying); Healthy otherwise. A promoted follower is an owner, and healthy here.
/// </summary>
internal sealed class FollowerHealthCheck(string table, Func<IFollowerTable> follower) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IFollowerTable opened;
        try
        {
            opened = follower();
        }
        catch (EtsException e)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"Follower of table '{table}' could not be opened: {e.Message}", e));
        }
        var status = opened.Status;
        var bound = opened.Options.LagBound;
        var data = new Dictionary<string, object>
        {
            ["table"] = table,
            ["position"] = status.Position.ToString(),
            ["appliedRecords"] = status.AppliedRecords,
            ["loads"] = status.Loads,
            ["generation"] = status.Generation,
            ["lagSeconds"] = status.Lag == TimeSpan.MaxValue ? double.PositiveInfinity : Math.Round(status.Lag.TotalSeconds, 3),
        };
        if (status.LastError is { } error)
        {
            data["lastError"] = error.Message;
            return Task.FromResult(HealthCheckResult.Degraded($"Follower of table '{table}' cannot read its store ({error.Message}); it shows what it had and keeps trying.", error, data));
        }
        if (status.Lag > bound)
        {
            return Task.FromResult(HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"Follower of table '{table}' was last caught up {status.Lag.TotalSeconds:F1} s ago, more than its bound of {bound.TotalSeconds:F1} s."), null, data));
        }
        return Task.FromResult(HealthCheckResult.Healthy($"Follower of table '{table}' is following (position {status.Position}).", data));
    }
}
