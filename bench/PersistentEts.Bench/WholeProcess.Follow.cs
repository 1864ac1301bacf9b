using System.Diagnostics;
using Azure.Storage.Blobs;
using PersistentEts.Azure;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Bench;

internal static partial class WholeProcess
{
    /// <summary>How long the steady write load runs for each lag figure.</summary>
    private static readonly TimeSpan LagWindow = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Followers through Azure Blob Storage: the time to open one on a table of all the rows (download,
    /// load, catch up) and to promote it once the owner is gone, how fast one applies a backlog of log
    /// records, and the lag from a write's return on the owner to its visibility on a follower, under a
    /// steady write load, at two poll intervals.
    /// </summary>
    private static void FollowFigures(TableType type, Row[] rows, string connectionString, List<(string, string)> figures)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pets-bench-follow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("bench" + Guid.NewGuid().ToString("N"));
        try
        {
            var bootstrap = new AzureBlobTableStore(container, "bootstrap");
            var owner = OpenRemoteOwner(type, Path.Combine(dir, "bootstrap.pets"), bootstrap, LogSync.Always);
            owner.Insert(rows);
            owner.Persistence.Flush();
            if (owner.Persistence.LastRemoteError is { } e) throw e;
            var clock = Stopwatch.StartNew();
            using (var follower = Follow(type, bootstrap, TimeSpan.FromMilliseconds(100)))
            {
                figures.Add(("follow_bootstrap_s", F(clock.Elapsed.TotalSeconds)));
                if (follower.Count != owner.Count) throw new InvalidOperationException($"the follower loaded {follower.Count} objects of {owner.Count}");
                // The owner goes (its lease released), and the follower takes over: lease, fence, snapshot and log.
                owner.Dispose();
                clock.Restart();
                using var promoted = follower.Promote(Path.Combine(dir, "promoted.pets"));
                figures.Add(("follow_promote_s", F(clock.Elapsed.TotalSeconds)));
                if (promoted.Count != rows.Length) throw new InvalidOperationException($"the promoted owner holds {promoted.Count} objects of {rows.Length}");
            }
            figures.Add(("follow_bootstrap_rows", rows.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));

            var (records, applySeconds) = ApplyBacklog(type, new AzureBlobTableStore(container, "backlog"), Path.Combine(dir, "backlog.pets"));
            figures.Add(("follow_apply_records", records.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            figures.Add(("follow_apply_per_s", Ops(records / applySeconds)));

            foreach (var poll in new[] { 100, 20 })
            {
                var lags = Lags(type, new AzureBlobTableStore(container, $"lag{poll}"), Path.Combine(dir, $"lag{poll}.pets"), TimeSpan.FromMilliseconds(poll));
                var suffix = poll == 100 ? "" : $"_poll{poll}";
                figures.Add(($"follow_lag_ms_p50{suffix}", F(Percentile(lags, 0.50))));
                figures.Add(($"follow_lag_ms_p99{suffix}", F(Percentile(lags, 0.99))));
                figures.Add(($"follow_lag_samples{suffix}", lags.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        finally
        {
            container.DeleteIfExists();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static PersistentEtsTable<int, Row> OpenRemoteOwner(TableType type, string path, IRemoteTableStore store, LogSync sync) =>
        PersistentTable.New(Path.GetFileNameWithoutExtension(path), path, (Row r) => r.Id, RemoteOwnerOptions(type, store, sync));

    private static PersistentTableOptions RemoteOwnerOptions(TableType type, IRemoteTableStore store, LogSync sync) => new()
    {
        Table = new TableOptions { Type = type, Protection = TableProtection.Public },
        PersistEvery = TimeSpan.FromHours(1),
        Durability = DurabilityMode.Log,
        // A backlog (Interval) is written to the local log every 100 ms as well, not fsynced per write.
        LogSync = sync,
        LogSyncInterval = TimeSpan.FromMilliseconds(100),
        Remote = new RemoteOptions { Store = store, LogSync = sync, LogSyncInterval = TimeSpan.FromMilliseconds(100) },
    };

    private static FollowerTable<int, Row> Follow(TableType type, IRemoteTableStore store, TimeSpan poll) =>
        PersistentTable.Follow("followed", (Row r) => r.Id, RemoteOwnerOptions(type, store, LogSync.Always), new FollowerOptions { PollInterval = poll });

    /// <summary>
    /// A follower opened on an empty snapshot with a log of single-row writes after it: the time it takes
    /// beyond opening on the empty snapshot alone is the time to apply the records.
    /// </summary>
    private static (long Records, double Seconds) ApplyBacklog(TableType type, IRemoteTableStore store, string path)
    {
        using var owner = OpenRemoteOwner(type, path, store, LogSync.Interval);
        owner.Persistence.Flush(); // the empty snapshot
        var empty = Stopwatch.StartNew();
        using (Follow(type, store, TimeSpan.FromMilliseconds(100))) { }
        var openEmpty = empty.Elapsed.TotalSeconds;
        var row = Row.Make(0);
        Measure.Split(200_000, (a, b) => { for (var i = a; i < b; i++) owner.Insert(row with { Id = i }); });
        var end = owner.Persistence.LogPosition!.Value;
        using (var probe = Follow(type, store, TimeSpan.FromMilliseconds(10)))
        {
            // Every record shipped (the shipper runs every 100 ms) before the measured open.
            if (!probe.WaitForPosition(end, TimeSpan.FromMinutes(2))) throw new InvalidOperationException("the log did not reach the store");
        }
        var clock = Stopwatch.StartNew();
        using var follower = Follow(type, store, TimeSpan.FromMilliseconds(100));
        var seconds = clock.Elapsed.TotalSeconds - openEmpty;
        return (follower.Status.AppliedRecords, seconds);
    }

    /// <summary>Milliseconds from each write's return on the owner to the follower showing it, under ~200 writes a second.</summary>
    private static double[] Lags(TableType type, IRemoteTableStore store, string path, TimeSpan poll)
    {
        using var owner = OpenRemoteOwner(type, path, store, LogSync.Always);
        owner.Persistence.Flush();
        using var follower = Follow(type, store, poll);
        var acked = new long[100_000];
        var seen = new long[acked.Length];
        follower.Applied += (_, e) =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var c in e.Changes)
            {
                if (c.Kind == FollowerChangeKind.Put && seen[c.Objects[0].Id] == 0) seen[c.Objects[0].Id] = now;
            }
        };
        var row = Row.Make(0);
        var clock = Stopwatch.StartNew();
        var n = 0;
        for (; clock.Elapsed < LagWindow && n < acked.Length; n++)
        {
            owner.Insert(row with { Id = n });
            acked[n] = Stopwatch.GetTimestamp();
            Thread.Sleep(5);
        }
        if (!follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromMinutes(1))) throw new InvalidOperationException("the follower did not catch up");
        return [.. Enumerable.Range(0, n).Select(i => Stopwatch.GetElapsedTime(acked[i], seen[i]).TotalMilliseconds).Order()];
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
