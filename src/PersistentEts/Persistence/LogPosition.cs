namespace PersistentEts.Persistence;

/// <summary>
/// A place in a table's write-ahead log: the byte just past a record, in the segment that holds it. The
/// owner reports the position its acknowledged records reach (<see cref="TablePersistence.LogPosition"/>);
/// a follower reports the position it has applied up to, and <c>WaitForPosition</c> waits for one. Positions
/// order by segment, then by offset; every position in a later segment is past every one in an earlier segment.
/// </summary>
/// <param name="Segment">The log segment's number.</param>
/// <param name="Offset">Bytes from the start of the segment, its header included.</param>
public readonly record struct LogPosition(long Segment, long Offset) : IComparable<LogPosition>
{
    /// <inheritdoc />
    public int CompareTo(LogPosition other) => Segment != other.Segment ? Segment.CompareTo(other.Segment) : Offset.CompareTo(other.Offset);

    /// <summary>Whether <paramref name="left"/> is before <paramref name="right"/>.</summary>
    public static bool operator <(LogPosition left, LogPosition right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is past <paramref name="right"/>.</summary>
    public static bool operator >(LogPosition left, LogPosition right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is before or at <paramref name="right"/>.</summary>
    public static bool operator <=(LogPosition left, LogPosition right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is at or past <paramref name="right"/>.</summary>
    public static bool operator >=(LogPosition left, LogPosition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Segment}:{Offset}";
}
