using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PersistentEts.Persistence;

/// <summary>
/// The library's instruments, on the meter <see cref="MeterName"/> (see docs/observability.md). Every
/// measurement carries the tag <c>pets.table</c> with the table's name.
/// </summary>
public static class PersistenceMetrics
{
    /// <summary>The meter's name, for <c>MeterListener</c>s and OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "PersistentEts";

    /// <summary>The names of every instrument, as documented.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
        ["pets.save.duration", "pets.save.bytes", "pets.save.objects", "pets.save.failures", "pets.save.age", "pets.log.fsyncs",
            "pets.follower.lag", "pets.follower.applied", "pets.follower.loads"];

    private static readonly Meter s_meter = new(MeterName, typeof(PersistenceMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<double> s_saveDuration =
        s_meter.CreateHistogram<double>("pets.save.duration", "s", "Wall time of each successful save");

    private static readonly Counter<long> s_saveBytes =
        s_meter.CreateCounter<long>("pets.save.bytes", "By", "Bytes written by successful saves");

    private static readonly Counter<long> s_saveObjects =
        s_meter.CreateCounter<long>("pets.save.objects", "{object}", "Objects written by successful saves");

    private static readonly Counter<long> s_saveFailures =
        s_meter.CreateCounter<long>("pets.save.failures", "{save}", "Saves that failed (the last good file is unchanged)");

    private static readonly Counter<long> s_logFsyncs =
        s_meter.CreateCounter<long>("pets.log.fsyncs", "{fsync}", "fsyncs of write-ahead logs (one per group commit)");

    private static readonly Counter<long> s_followerApplied =
        s_meter.CreateCounter<long>("pets.follower.applied", "{record}", "Log records followers applied (a batch counts once)");

    private static readonly Counter<long> s_followerLoads =
        s_meter.CreateCounter<long>("pets.follower.loads", "{snapshot}", "Snapshots followers loaded: one at open, one per reload after the log was retired");

    // Live follower → its table's name and how to read its lag, for the lag gauge.
    private static readonly ConcurrentDictionary<object, (string Table, Func<TimeSpan> Lag)> s_followers = new();

    // Table name → time of its last good save, for the age gauge.
    private static readonly ConcurrentDictionary<TablePersistence, (string Table, long Timestamp)> s_lastGood = new();

    static PersistenceMetrics()
    {
        s_meter.CreateObservableGauge("pets.save.age", ObserveAges, "s", "Seconds since each live persistent table's last good save (or since it was opened)");
        s_meter.CreateObservableGauge("pets.follower.lag", ObserveLags, "s", "Seconds since each live follower last had everything its store held");
    }

    private static IEnumerable<Measurement<double>> ObserveLags()
    {
        foreach (var (_, (table, lag)) in s_followers)
        {
            var value = lag();
            if (value != TimeSpan.MaxValue) yield return new Measurement<double>(value.TotalSeconds, new KeyValuePair<string, object?>("pets.table", table));
        }
    }

    internal static void FollowerOpened(object follower, string table, Func<TimeSpan> lag) => s_followers[follower] = (table, lag);

    internal static void FollowerClosed(object follower) => s_followers.TryRemove(follower, out _);

    internal static void FollowerApplied(string table, long records, int loads)
    {
        var tag = new KeyValuePair<string, object?>("pets.table", table);
        if (records > 0) s_followerApplied.Add(records, tag);
        if (loads > 0) s_followerLoads.Add(loads, tag);
    }

    private static IEnumerable<Measurement<double>> ObserveAges()
    {
        foreach (var (_, (table, stamp)) in s_lastGood)
            yield return new Measurement<double>(Stopwatch.GetElapsedTime(stamp).TotalSeconds, new KeyValuePair<string, object?>("pets.table", table));
    }

    internal static void Opened(TablePersistence p, string table) => s_lastGood[p] = (table, Stopwatch.GetTimestamp());

    internal static void Closed(TablePersistence p) => s_lastGood.TryRemove(p, out _);

    internal static void Saved(TablePersistence p, string table, SnapshotResult r)
    {
        var tag = new KeyValuePair<string, object?>("pets.table", table);
        s_saveDuration.Record(r.Duration.TotalSeconds, tag);
        s_saveBytes.Add(r.Bytes, tag);
        s_saveObjects.Add(r.Objects, tag);
        s_lastGood[p] = (table, Stopwatch.GetTimestamp());
    }

    internal static void SaveFailed(string table) => s_saveFailures.Add(1, new KeyValuePair<string, object?>("pets.table", table));

    internal static void LogFsync(string table) => s_logFsyncs.Add(1, new KeyValuePair<string, object?>("pets.table", table));
}
