using PersistentEts.Persistence;
using PersistentEts.Tables;

namespace PersistentEts.Tests.Reliability;

/// <summary>
/// For every k, the k-th I/O operation of a save, a log append or a log rotation fails (once, or from then
/// on; EIO or ENOSPC); then the power goes out. After reopening, the state is the last durable one: the
/// error reached the caller, the previous snapshot was never removed first, an fsync failure was never
/// reported as success, and no acknowledged write is missing.
/// </summary>
[Collection(nameof(Crash.CrashCollection))]
public sealed class FaultInjectionTests
{
    public sealed record Row(int Id, int Version);

    private const string Dir = "/sim";
    private static readonly string PathOnSim = Path.Combine(Dir, "t.pets");
    private static readonly IObjectCodec<Row> Codec = MessagePackObjectCodec<Row>.Instance;

    public static TheoryData<bool, bool> FaultKinds() => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    private static TableCore<int, Row> Table(int version, int rows = 40)
    {
        var t = Ets.New("fi", (Row r) => r.Id);
        t.Insert(Enumerable.Range(0, rows).Select(i => new Row(i, version)));
        return t.Core;
    }

    private static int? LoadedVersion(SimulatedFileSystem fs)
    {
        if (!fs.Exists(PathOnSim)) return null;
        using var t = PersistentTable.Open("fi", PathOnSim, (Row r) => r.Id, "r => r.Id",
            new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) }, Codec, null, null, default, fs);
        var versions = t.ToList().Select(r => r.Version).Distinct().ToList();
        Assert.Single(versions); // never a mix of two snapshots
        Assert.Equal(40, t.Count);
        t.Persistence!.Abandon();
        return versions[0];
    }

    [Theory]
    [MemberData(nameof(FaultKinds))]
    public void Save_FailingAtEveryOperation_LeavesTheLastDurableSnapshot(bool fromThenOn, bool noSpace)
    {
        var points = 0;
        for (var k = 1; ; k++)
        {
            var fs = new SimulatedFileSystem(Dir);
            Snapshot.Save(Table(1), PathOnSim, SnapshotWriteOptions.Default, Codec, fs);
            fs.FailAt = fs.Operations + k;
            fs.FailFromThenOn = fromThenOn;
            fs.NoSpace = noSpace;
            var saved = false;
            try
            {
                Snapshot.Save(Table(2), PathOnSim, SnapshotWriteOptions.Default, Codec, fs);
                saved = true;
            }
            catch (SnapshotFileException e)
            {
                Assert.True(fs.Failed);
                Assert.Contains(PathOnSim, e.Message);
            }
            if (!fs.Failed) break; // k is past the save's last operation: every point was covered
            points++;
            Assert.False(saved, $"operation {k} failed but the save reported success");
            // Without power loss, the old or the new snapshot is there, whole (a failed directory fsync comes
            // after the rename); after power loss, the old one, since the new one was never made durable.
            Assert.Contains(LoadedVersion(fs), new int?[] { 1, 2 });
            Assert.Equal(1, LoadedVersion(fs.AfterPowerLoss(new Random(k))));
        }
        Assert.True(points >= 6, $"only {points} fault points were exercised");
    }

    private static EtsTable<int, Row> OpenLogged(SimulatedFileSystem fs) =>
        PersistentTable.Open("fi", PathOnSim, (Row r) => r.Id, "r => r.Id",
            new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), Durability = DurabilityMode.Log, LogSync = LogSync.Always },
            Codec, null, null, default, fs);

    private static void Abandon(EtsTable<int, Row> t)
    {
        t.Persistence!.Abandon();
        t.Dispose();
    }

    [Theory]
    [MemberData(nameof(FaultKinds))]
    public void LogAppend_FailingAtEveryOperation_NeverLosesAnAcknowledgedWrite(bool fromThenOn, bool noSpace) =>
        EveryFaultPoint(fromThenOn, noSpace, (t, acked) =>
        {
            t.Insert(new Row(100, 1));
            acked.Add(100);
            t.Insert([new Row(101, 1), new Row(102, 1)]);
            acked.Add(101);
            acked.Add(102);
        });

    [Theory]
    [MemberData(nameof(FaultKinds))]
    public void LogRotation_FailingAtEveryOperation_NeverLosesAnAcknowledgedWrite(bool fromThenOn, bool noSpace) =>
        EveryFaultPoint(fromThenOn, noSpace, (t, acked) =>
        {
            t.Persistence!.Flush(); // snapshot + rotation + retiring the old segment
            t.Insert(new Row(200, 1));
            acked.Add(200);
        });

    /// <summary>
    /// Opens a logged table with acknowledged writes 0–9, arms the fault k operations ahead, runs
    /// <paramref name="work"/> (which adds what it got acknowledged), loses power, and checks.
    /// </summary>
    private static void EveryFaultPoint(bool fromThenOn, bool noSpace, Action<EtsTable<int, Row>, List<int>> work)
    {
        var points = 0;
        for (var k = 1; ; k++)
        {
            var fs = new SimulatedFileSystem(Dir);
            var t = OpenLogged(fs);
            var acked = new List<int>();
            for (var i = 0; i < 10; i++)
            {
                t.Insert(new Row(i, 1));
                acked.Add(i);
            }
            fs.FailAt = fs.Operations + k;
            fs.FailFromThenOn = fromThenOn;
            fs.NoSpace = noSpace;
            Exception? error = null;
            try
            {
                work(t, acked);
            }
            catch (EtsException e)
            {
                error = e;
            }
            Abandon(t);
            if (!fs.Failed) break;
            points++;
            // Only a retired log segment's delete may fail quietly (it is logged and retried; the snapshot
            // that retired it is durable). Every other failure must reach the caller.
            if (fs.FailedOperation != "delete" || fromThenOn)
                Assert.True(error is not null, $"operation {k} ({fs.FailedOperation}) failed but no error reached the caller");
            using var back = OpenLogged(fs.AfterPowerLoss(new Random(k)));
            foreach (var key in acked) Assert.True(back.Contains(key), $"fault at operation {k}: acknowledged key {key} lost");
            back.Persistence!.Abandon();
        }
        Assert.True(points >= 2, $"only {points} fault points were exercised");
    }
}
