using System.Buffers;
using System.Collections.Concurrent;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>
/// A save's encoding threads run below the application's priority, so that back-to-back saves take idle
/// cores and not the application's. Checked where the scheduler's view of a thread can be read: Linux,
/// where the runtime's own thread priority does nothing and the library sets the thread's nice value.
/// </summary>
public sealed class EncoderPriorityTests
{
    public sealed record Item(int Id, string Name);

    [LinuxFact]
    public void EncodingThreads_RunAtALowerPriorityThanTheThreadThatSaves()
    {
        using var dir = new TempDirectory();
        var codec = new NiceRecordingCodec();
        using var table = Ets.New("prio", (Item i) => i.Id, new TableOptions { Type = TableType.Set });
        table.Insert(Enumerable.Range(0, 200_000).Select(i => new Item(i, "item-" + i)));
        var callerNice = NiceRecordingCodec.CurrentThreadNice();

        Snapshot.Save(table, Path.Combine(dir.Path, "prio.pets"), new SnapshotWriteOptions { EncodeThreads = 2 }, codec);

        Assert.NotEmpty(codec.Nices);
        // Every object was encoded on a library thread, never on the caller's, and each at the lowered priority.
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, codec.Threads.Keys);
        Assert.All(codec.Nices, nice => Assert.True(nice > callerNice, $"encoded at nice {nice}, the caller runs at {callerNice}"));
        // The caller's own priority is untouched.
        Assert.Equal(callerNice, NiceRecordingCodec.CurrentThreadNice());
    }

    /// <summary>The default codec's bytes, recording the nice value of every thread that encodes.</summary>
    private sealed class NiceRecordingCodec : IObjectCodec<Item>
    {
        public ConcurrentDictionary<int, int> Threads { get; } = new();

        public IEnumerable<int> Nices => Threads.Values;

        public string Id => MessagePackObjectCodec<Item>.Instance.Id;

        public bool IsThreadSafe => true;

        public void Write(IBufferWriter<byte> writer, Item obj)
        {
            Threads.GetOrAdd(Environment.CurrentManagedThreadId, _ => CurrentThreadNice());
            MessagePackObjectCodec<Item>.Instance.Write(writer, obj);
        }

        public Item Read(ReadOnlyMemory<byte> source, out int bytesRead) => MessagePackObjectCodec<Item>.Instance.Read(source, out bytesRead);

        /// <summary>Field 19 of /proc/thread-self/stat, after the parenthesised command name.</summary>
        public static int CurrentThreadNice()
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields after the name start at field 3 (state); nice is field 19.
            return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
        }
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
