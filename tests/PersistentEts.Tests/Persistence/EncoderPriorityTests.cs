using System.Buffers;
using System.Collections.Concurrent;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// A save's encoding threads run in the scheduler's idle class, so that back-to-back saves take idle cores
/// and not the application's; and a save whose encoding threads get no processor time still ends, encoded
/// on the thread that saves. The scheduler's view of a thread is read where it can be: Linux, where the
/// runtime's own thread priority does nothing and the library sets the thread's policy itself.
/// </summary>
public sealed class EncoderPriorityTests
{
    public sealed record Item(int Id, string Name);

    private const int SchedIdle = 5;
    private const int LowestNice = 19;

    [LinuxFact]
    public void EncodingThreads_RunInTheIdleClass_AndTheThreadThatSavesKeepsItsPriority()
    {
        using var dir = new TempDirectory();
        using var table = Ets.New("prio", (Item i) => i.Id, new TableOptions { Type = TableType.Set });
        table.Insert(Enumerable.Range(0, 200_000).Select(i => new Item(i, "item-" + i)));
        var caller = SchedulerState.OfCurrentThread();
        var codec = new RecordingCodec();

        // On a busy machine the saving thread may do all the encoding itself (the test below): save again
        // until an encoding thread has encoded something, which on this test's idle cores is the first save.
        for (var save = 0; save < 20 && codec.OtherThreads.IsEmpty; save++)
            Snapshot.Save(table, Path.Combine(dir.Path, "prio.pets"), new SnapshotWriteOptions { EncodeThreads = 2 }, codec);

        Assert.False(codec.OtherThreads.IsEmpty, "no encoding thread encoded anything in 20 saves");
        Assert.All(codec.OtherThreads.Values, state => Assert.True(state.Policy == SchedIdle || state.Nice == LowestNice,
            $"an encoding thread ran with policy {state.Policy} at nice {state.Nice}; the saving thread runs with policy {caller.Policy} at nice {caller.Nice}"));
        Assert.Equal(caller, SchedulerState.OfCurrentThread());
    }

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    public void ASave_Ends_WhenItsEncodingThreadsGetNoProcessorTime(TableType type)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "starved.pets");
        using var table = Ets.New("starved", (Item i) => i.Id, new TableOptions { Type = type });
        table.Insert(Enumerable.Range(0, 200_000).Select(i => new Item(i, "item-" + i)));
        // Encoding threads are held at their first object until the saving thread has encoded one itself:
        // a save that waited for them alone would never end.
        var codec = new StarvingCodec(Environment.CurrentManagedThreadId);

        var result = Snapshot.Save(table, path, new SnapshotWriteOptions { EncodeThreads = 2 }, codec);

        Assert.True(codec.EncodedBySaver > 0);
        Assert.Equal(200_000, result.Objects);
        using var back = Snapshot.Load(path, (Item i) => i.Id, new TableOptions { Type = type });
        Assert.Equal(table.ToList().OrderBy(i => i.Id), back.ToList().OrderBy(i => i.Id));
    }

    /// <summary>A thread's scheduling policy and nice value, fields 41 and 19 of /proc/thread-self/stat.</summary>
    private readonly record struct SchedulerState(int Policy, int Nice)
    {
        public static SchedulerState OfCurrentThread()
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            // Fields after the parenthesised command name start at field 3 (state).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return new SchedulerState(Field(fields, 41), Field(fields, 19));
        }

        private static int Field(string[] afterName, int number) =>
            int.Parse(afterName[number - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The default codec's bytes, recording the scheduler state of every thread but the test's that encodes.</summary>
    private sealed class RecordingCodec : IObjectCodec<Item>
    {
        private readonly int _testThread = Environment.CurrentManagedThreadId;

        public ConcurrentDictionary<int, SchedulerState> OtherThreads { get; } = new();

        public string Id => MessagePackObjectCodec<Item>.Instance.Id;

        public bool IsThreadSafe => true;

        public void Write(IBufferWriter<byte> writer, Item obj)
        {
            if (Environment.CurrentManagedThreadId != _testThread)
                OtherThreads.GetOrAdd(Environment.CurrentManagedThreadId, _ => SchedulerState.OfCurrentThread());
            MessagePackObjectCodec<Item>.Instance.Write(writer, obj);
        }

        public Item Read(ReadOnlyMemory<byte> source, out int bytesRead) => MessagePackObjectCodec<Item>.Instance.Read(source, out bytesRead);
    }

    /// <summary>The default codec's bytes; every thread but the saver's waits until the saver has encoded an object.</summary>
    private sealed class StarvingCodec(int saverThread) : IObjectCodec<Item>
    {
        private readonly ManualResetEventSlim _saverEncoded = new();
        private int _encodedBySaver;

        public int EncodedBySaver => Volatile.Read(ref _encodedBySaver);

        public string Id => MessagePackObjectCodec<Item>.Instance.Id;

        public bool IsThreadSafe => true;

        public void Write(IBufferWriter<byte> writer, Item obj)
        {
            if (Environment.CurrentManagedThreadId == saverThread)
            {
                Interlocked.Increment(ref _encodedBySaver);
                _saverEncoded.Set();
            }
            else if (!_saverEncoded.Wait(TimeSpan.FromMinutes(1)))
            {
                throw new TimeoutException("the saving thread encoded nothing while its encoding threads were held");
            }
            MessagePackObjectCodec<Item>.Instance.Write(writer, obj);
        }

        public Item Read(ReadOnlyMemory<byte> source, out int bytesRead) => MessagePackObjectCodec<Item>.Instance.Read(source, out bytesRead);
    }
}

/// <summary>A fact that reads Linux's per-thread scheduler state; skipped, with the reason, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "reads /proc/thread-self, which only Linux has";
    }
}
