using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;
using PersistentEts.Tests.Persistence;

namespace PersistentEts.Tests.Observability;

public sealed class MetricsTests : IDisposable
{
    public sealed record Row(int Id, string Name);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MeterListener_SeesEveryDocumentedInstrument()
    {
        var table = "metrics-" + Guid.NewGuid().ToString("N");
        var seen = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PersistenceMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "pets.table" && (string?)tag.Value == table) seen.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1);
            }
        }
        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<long>(Record);
        listener.Start();

        var fs = new FaultyFileSystem();
        var t = PersistentTable.Open(table, _dir.File("m.pets"), (Row r) => r.Id, "r => r.Id",
            new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), Durability = DurabilityMode.Log },
            MessagePackObjectCodec<Row>.Instance, null, null, default, fs);
        t.Insert(new Row(1, "a"));                 // log fsync
        t.Persistence!.Flush();                    // save: duration, bytes, objects
        fs.FailAt = FaultPoint.Replace;
        t.Insert(new Row(2, "b"));
        Assert.Throws<SnapshotFileException>(() => t.Persistence.Flush()); // failure
        fs.FailAt = FaultPoint.None;
        listener.RecordObservableInstruments();    // age
        t.Dispose();

        // A follower of the same table name: loads, applied records, lag.
        var remote = new PersistentTableOptions
        {
            PersistEvery = TimeSpan.FromHours(1),
            Durability = DurabilityMode.Log,
            Remote = new RemoteOptions { Store = new DirectoryTableStore(_dir.File("store")) },
        };
        using (var owner = PersistentTable.New(table, _dir.File("owner.pets"), (Row r) => r.Id, remote))
        using (var follower = PersistentTable.Follow(table, (Row r) => r.Id, remote))  // loads
        {
            owner.Insert(new Row(3, "c"));
            Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30))); // applied
            listener.RecordObservableInstruments(); // lag
        }

        Assert.Equal(PersistenceMetrics.InstrumentNames.Order(), seen.Keys.Order());
    }
}
