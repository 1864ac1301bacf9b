using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>ETS <c>compressed</c> (<see cref="TableOptions.Compressed"/>): the table's files are compressed.</summary>
public sealed class CompressedTableTests : IDisposable
{
    public sealed record Row(int Id, string Text);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IEnumerable<Row> Rows() => Enumerable.Range(0, 2000).Select(i => new Row(i, new string('x', 200)));

    [Fact]
    public void APersistentCompressedTable_SavesCompressedFiles_ThatLoadBack()
    {
        var path = _dir.File("rows.pets");
        var options = new PersistentTableOptions { Table = new TableOptions { Compressed = true } };
        using (var table = PersistentTable.New("rows", path, (Row r) => r.Id, options))
        {
            table.Insert(Rows());
            table.Persistence!.Flush();
        }
        var info = Snapshot.ReadInfo(path);
        Assert.True(info.Header.Compressed);
        Assert.True(info.FileBytes < 2000 * 200 / 4, $"a compressed file of 2000 repetitive rows should be small, not {info.FileBytes} bytes");
        using var back = PersistentTable.New("rows", path, (Row r) => r.Id, options);
        Assert.Equal(2000, back.Count);
    }

    [Fact]
    public void SnapshotSave_WithoutWriteOptions_CompressesACompressedTable_AndNotAnother()
    {
        using var compressed = Ets.New("c", (Row r) => r.Id, new TableOptions { Compressed = true });
        using var plain = Ets.New("p", (Row r) => r.Id);
        compressed.Insert(Rows());
        plain.Insert(Rows());

        Snapshot.Save(compressed, _dir.File("c.pets"));
        Snapshot.Save(plain, _dir.File("p.pets"));

        Assert.True(Snapshot.ReadInfo(_dir.File("c.pets")).Header.Compressed);
        Assert.False(Snapshot.ReadInfo(_dir.File("p.pets")).Header.Compressed);
    }
}
