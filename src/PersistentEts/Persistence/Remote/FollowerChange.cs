namespace PersistentEts.Persistence.Remote;

/// <summary>What one applied change did (<see cref="FollowerAppliedEventArgs{TObject}"/>).</summary>
public enum FollowerChangeKind
{
    /// <summary>A key now holds exactly <see cref="FollowerChange{TObject}.Objects"/> (one for a set, all of a bag's key).</summary>
    Put,

    /// <summary>The key of <see cref="FollowerChange{TObject}.Objects"/>' only object no longer exists.</summary>
    Remove,

    /// <summary>The table was emptied.</summary>
    Clear,

    /// <summary>
    /// The follower loaded a newer snapshot in place of what it showed (the log it needed was retired): every
    /// key may have changed. Nothing else is in that event.
    /// </summary>
    Reload,
}

/// <summary>One change a follower applied, in log order.</summary>
/// <param name="Kind">What it did.</param>
/// <param name="Objects">The objects it concerns (see <see cref="FollowerChangeKind"/>); empty for a clear or a reload.</param>
public readonly record struct FollowerChange<TObject>(FollowerChangeKind Kind, IReadOnlyList<TObject> Objects);

/// <summary>The changes a follower applied in one step, raised after they are visible (<see cref="FollowerTable{TKey, TObject}.Applied"/>).</summary>
public sealed class FollowerAppliedEventArgs<TObject> : EventArgs
{
    internal FollowerAppliedEventArgs(LogPosition position, IReadOnlyList<FollowerChange<TObject>> changes)
    {
        Position = position;
        Changes = changes;
    }

    /// <summary>The position the follower reached with these changes.</summary>
    public LogPosition Position { get; }

    /// <summary>The changes, in log order (a batch's changes together).</summary>
    public IReadOnlyList<FollowerChange<TObject>> Changes { get; }
}
