using PersistentEts.Persistence.Remote;

namespace PersistentEts;

/// <summary>
/// A follower seen without its key and object types: what health checks and dashboards read
/// (<see cref="FollowerTable{TKey, TObject}"/> implements it).
/// </summary>
public interface IFollowerTable
{
    /// <summary>The followed table's name.</summary>
    string Name { get; }

    /// <summary>Where the follower stands, read at one moment.</summary>
    FollowerStatus Status { get; }

    /// <summary>The options it was opened with (its <see cref="FollowerOptions.LagBound"/> among them).</summary>
    FollowerOptions Options { get; }
}
