using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PersistentEts.Hosting;

/// <summary>Health checks of hosted persistent tables and followers.</summary>
public static class PersistentEtsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the table registered with <c>AddPersistentEts</c> under <paramref name="table"/>:
    /// Unhealthy (or <paramref name="failureStatus"/>) until it is loaded, when its open failed, and once it is
    /// closed; Degraded when its last save failed or its file has not been up to date for more than
    /// <paramref name="degradedAfterPeriods"/> save periods; Healthy otherwise. Its data names the state, the
    /// object count, the file, how long ago the file was last up to date, and the last error.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="table">The table's name, as given to <c>AddPersistentEts</c>.</param>
    /// <param name="degradedAfterPeriods">How many save periods the file may lag before the table is Degraded (more than 1; default 3).</param>
    /// <param name="name">The check's name; default <c>persistent-ets:</c> and the table's name.</param>
    /// <param name="failureStatus">What an unusable table reports; default Unhealthy.</param>
    /// <param name="tags">Tags for filtering checks (e.g. <c>ready</c>).</param>
    public static IHealthChecksBuilder AddPersistentEtsTable(this IHealthChecksBuilder builder, string table, double degradedAfterPeriods = 3,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(table)) throw new EtsArgumentException(nameof(table), "A table name may not be blank.");
        if (!(degradedAfterPeriods > 1) || double.IsInfinity(degradedAfterPeriods))
            throw new EtsArgumentException(nameof(degradedAfterPeriods), $"degradedAfterPeriods must be a finite number above 1, not {degradedAfterPeriods}.");
        return builder.Add(new HealthCheckRegistration(name ?? $"persistent-ets:{table}", services =>
        {
            var hosted = services.GetServices<IHostedTable>().FirstOrDefault(t => t.Name == table)
                         ?? throw new EtsArgumentException(nameof(table), $"No persistent table '{table}' is registered (call AddPersistentEts first).");
            return new PersistentTableHealthCheck(hosted, degradedAfterPeriods, services.GetService<TimeProvider>() ?? TimeProvider.System);
        }, failureStatus, tags));
    }

    /// <summary>
    /// Adds a health check of the follower registered under <paramref name="follower"/>: Unhealthy (or
    /// <paramref name="failureStatus"/>) when it cannot be opened; Degraded while its lag is past its
    /// <see cref="Persistence.Remote.FollowerOptions.LagBound"/> or its last poll of the store failed; Healthy otherwise. Its
    /// data names the position, the lag, the records applied and the snapshots loaded.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="follower">The follower's table name, as given to <see cref="PersistentEtsFollowerExtensions.AddPersistentEtsFollower{TKey, TObject}"/>.</param>
    /// <param name="name">The check's name; default <c>persistent-ets-follower:</c> and the table's name.</param>
    /// <param name="failureStatus">What a follower that cannot open reports; default Unhealthy.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    public static IHealthChecksBuilder AddPersistentEtsFollower(this IHealthChecksBuilder builder, string follower, string? name = null,
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(follower)) throw new EtsArgumentException(nameof(follower), "A follower's table name may not be blank.");
        return builder.Add(new HealthCheckRegistration(name ?? $"persistent-ets-follower:{follower}",
            services => new FollowerHealthCheck(follower, () => services.GetRequiredKeyedService<IFollowerTable>(follower)), failureStatus, tags));
    }
}
