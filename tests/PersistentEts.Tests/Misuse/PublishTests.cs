using System.Buffers;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Misuse;

/// <summary>A table is reachable only once it is whole; an open that fails leaves nothing behind.</summary>
[Collection(nameof(MisuseCollection))]
public sealed class PublishTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The default codec, pausing on the first object it decodes until the test lets it go on.</summary>
    private sealed class PausingCodec : IObjectCodec<Row>
    {
        public readonly ManualResetEventSlim Reading = new();
        public readonly ManualResetEventSlim GoOn = new();

        public string Id => MessagePackObjectCodec<Row>.Instance.Id;

        public void Write(IBufferWriter<byte> output, Row value) => MessagePackObjectCodec<Row>.Instance.Write(output, value);

        public Row Read(ReadOnlyMemory<byte> input, out int bytesRead)
        {
            Reading.Set();
            GoOn.Wait(TimeSpan.FromSeconds(30));
            return MessagePackObjectCodec<Row>.Instance.Read(input, out bytesRead);
        }
    }

    [Fact]
    public async Task ANamedTable_IsNotFoundWhileItLoads_AndIsWholeWhenFound()
    {
        var path = _dir.File("slow.pets");
        var options = new PersistentTableOptions { Table = new TableOptions { NamedTable = true }, PersistEvery = TimeSpan.FromHours(1) };
        using (var t = PersistentTable.New("slow", path, (Row r) => r.Id, options))
        {
            t.Insert(Enumerable.Range(0, 1000).Select(i => new Row(i, "r")));
        }
        var codec = new PausingCodec();
        var opening = Task.Run(() => PersistentTable.New("slow", path, (Row r) => r.Id, options, codec));
        Assert.True(codec.Reading.Wait(TimeSpan.FromSeconds(30)));
        Assert.False(Ets.IsRegistered("slow"));
        Assert.DoesNotContain(Ets.All(), i => i.Name == "slow");
        Assert.Throws<TableNameException>(() => Ets.Whereis<int, Row>("slow"));
        codec.GoOn.Set();
        using var table = await opening;
        Assert.Equal(1000, Ets.Whereis<int, Row>("slow").Count);
    }

    [Fact]
    public void AFailedOpen_LeavesNoTable_NoName_AndNoHeldFile()
    {
        var path = _dir.File("bad.pets");
        File.WriteAllText(path, "not a snapshot");
        var options = new PersistentTableOptions { Table = new TableOptions { NamedTable = true }, Durability = DurabilityMode.Log };
        Assert.Throws<SnapshotFileException>(() => PersistentTable.New("bad", path, (Row r) => r.Id, options));
        Assert.False(Ets.IsRegistered("bad"));
        Assert.DoesNotContain(Ets.All(), i => i.Name == "bad");
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.wal")); // no segment was started
        File.Delete(path);
        using var t = PersistentTable.New("bad", path, (Row r) => r.Id, options); // the file and the name are free
        Assert.True(Ets.IsRegistered("bad"));
    }
}
