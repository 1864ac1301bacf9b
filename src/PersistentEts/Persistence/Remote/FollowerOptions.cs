namespace PersistentEts.Persistence.Remote;

/// <summary>
/// How a follower (<see cref="PersistentTable.Follow{TKey, TObject}"/>) tracks its table's remote store.
/// The table itself (type, key, schema, store) is described by the <see cref="PersistentTableOptions"/>
/// its owner opens it with.
/// </summary>
public sealed record FollowerOptions
{
    /// <summary>The options every follower gets unless it says otherwise.</summary>
    public static FollowerOptions Default { get; } = new();

    /// <summary>
    /// How long the follower waits after finding nothing new before it asks the store again. Each ask is two
    /// requests (list the log, read the current segment's end), so this trades lag for requests. Between
    /// 10 ms and 1 minute. Default 100 ms.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How far behind the follower may fall before it reports itself degraded (<see cref="FollowerStatus.Lag"/>,
    /// the Hosting health check). Default 30 s.
    /// </summary>
    public TimeSpan LagBound { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where a snapshot is staged while the follower loads it (a file per load, deleted after it). Default:
    /// the system's temporary directory.
    /// </summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Refuses options that cannot work, naming the option.</summary>
    internal void Validate()
    {
        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(1))
            Throw.Argument(nameof(PollInterval), $"PollInterval must be between 10 ms and 1 minute (was {PollInterval}).");
        if (LagBound <= TimeSpan.Zero) Throw.Argument(nameof(LagBound), $"LagBound must be more than zero (was {LagBound}).");
        if (WorkDirectory is { } dir && !Directory.Exists(dir))
            Throw.Argument(nameof(WorkDirectory), $"The follower's WorkDirectory '{dir}' does not exist.");
    }
}
