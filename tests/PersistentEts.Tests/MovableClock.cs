namespace PersistentEts.Tests;

/// <summary>The system clock, moved ahead by what a test sets: leases lapse and files age without waiting.</summary>
public sealed class MovableClock : TimeProvider
{
    public TimeSpan Ahead { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Ahead;
}
