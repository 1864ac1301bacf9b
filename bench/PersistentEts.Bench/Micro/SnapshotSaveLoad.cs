using BenchmarkDotNet.Attributes;
using PersistentEts.Persistence;

namespace PersistentEts.Bench.Micro;

/// <summary>
/// Save and load of a set table against writing and reading the same bytes with a plain FileStream, and
/// against the hand-rolled alternative (a ConcurrentDictionary dumped with MessagePack, see HandRolledDump).
/// </summary>
[MemoryDiagnoser]
public class SnapshotSaveLoad
{
    private string _dir = "";
    private string _path = "";
    private byte[] _bytes = [];
    private EtsTable<int, Row> _set = null!;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Row> _diy = new();
    private string _diyPath = "";

    [Params(10_000, 100_000, 1_000_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "pets-bdn-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "t.pets");
        _set = WholeProcess.NewTable(TableType.Set);
        _set.Insert(Row.MakeAll(Size));
        Snapshot.Save(_set, _path);
        _bytes = File.ReadAllBytes(_path);
        foreach (var row in _set.ToList()) _diy[row.Id] = row;
        _diyPath = Path.Combine(_dir, "t.diy");
        HandRolledDump.Save(_diy, _diyPath);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _set.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void FileStream_WriteAndSync()
    {
        using var fs = new FileStream(Path.Combine(_dir, "raw.bin"), FileMode.Create, FileAccess.Write);
        fs.Write(_bytes);
        fs.Flush(flushToDisk: true);
    }

    [Benchmark]
    public SnapshotResult Snapshot_Save() => Snapshot.Save(_set, _path);

    [Benchmark]
    public int FileStream_ReadAll() => File.ReadAllBytes(_path).Length;

    [Benchmark]
    public long Snapshot_Load()
    {
        using var t = Snapshot.Load(_path, (Row r) => r.Id);
        return t.Count;
    }

    [Benchmark]
    public void HandRolled_Save() => HandRolledDump.Save(_diy, _diyPath);

    [Benchmark]
    public int HandRolled_Load() => HandRolledDump.Load<Row>(_diyPath, r => r.Id).Count;
}
