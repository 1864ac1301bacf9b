namespace PersistentEts.Persistence.Remote;

/// <summary>Where a follower stands against its owner, read at one moment (<see cref="FollowerTable{TKey, TObject}.Status"/>).</summary>
/// <param name="Position">The log position the follower has applied up to: it shows every record before it and none after it.</param>
/// <param name="AppliedRecords">Log records applied since the follower opened (a batch counts once).</param>
/// <param name="Generation">The snapshot generation the follower last loaded (0 when the table had none).</param>
/// <param name="CaughtUpAt">
/// When the follower last had everything the store held: every record the store had before this moment is
/// applied. Null before the first time.
/// </param>
/// <param name="Lag">
/// How far the follower may be behind the owner's durable records: the time since <paramref name="CaughtUpAt"/>.
/// With remote <see cref="LogSync.Always"/>, every write the owner acknowledged more than this long ago is visible.
/// </param>
/// <param name="RecordsBehind">Records the follower has read from the store and not yet applied (non-zero only while it catches up).</param>
/// <param name="Loads">Snapshots loaded: 1 for the first, one more per re-bootstrap after the log it needed was retired.</param>
/// <param name="LastError">The last failure talking to the store, or null once a poll succeeded since; the follower keeps trying.</param>
/// <param name="Promoted">Whether the follower was promoted to owner (<see cref="FollowerTable{TKey, TObject}.Promote"/>).</param>
public sealed record FollowerStatus(LogPosition Position, long AppliedRecords, long Generation, DateTimeOffset? CaughtUpAt, TimeSpan Lag,
    long RecordsBehind, int Loads, Exception? LastError, bool Promoted);
