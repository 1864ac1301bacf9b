using System.Diagnostics;
using System.Text.Json;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Cli;

/// <summary>Runs the built <c>pets</c> tool as a process on real files and reads its output and exit code.</summary>
[Collection(nameof(Crash.CrashCollection))]
public sealed class PetsToolTests : IDisposable
{
    public sealed record Row(int Id, string Name);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Exit, string Out, string Err) Pets(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pets.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private string GoodFile()
    {
        var path = _dir.File("good.pets");
        using var t = Ets.New("people", (Row r) => r.Id, new TableOptions { Type = TableType.OrderedSet });
        t.Insert(Enumerable.Range(1, 25).Select(i => new Row(i, "person-" + i)));
        Snapshot.Save(t, path);
        return path;
    }

    [Fact]
    public void Info_PrintsTheHeader_AsTextAndJson()
    {
        var path = GoodFile();
        var (exit, output, _) = Pets("info", path);
        Assert.Equal(0, exit);
        Assert.Contains("people", output);
        Assert.Contains("ordered_set", output);
        Assert.Contains("r => r.Id", output);
        var (jexit, json, _) = Pets("info", path, "--json");
        Assert.Equal(0, jexit);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(25, doc.RootElement.GetProperty("objects").GetInt64());
        Assert.Equal(2, doc.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("schemaVersion").GetInt32());
        // The schema is a JSON object naming the stored type's members, readable without the application.
        var schema = doc.RootElement.GetProperty("schema");
        Assert.Contains(schema.GetProperty("types").EnumerateObject(), t => t.Value.EnumerateArray().Any(m => m.GetProperty("name").GetString() == "Id"));
        Assert.Contains("schema", output);
    }

    [Fact]
    public void Verify_GoodFile_ExitsZero()
    {
        var (exit, output, _) = Pets("verify", GoodFile());
        Assert.Equal(0, exit);
        Assert.Contains("25 objects", output);
    }

    [Fact]
    public void Verify_DamagedCopy_ExitsTwo_AndNamesTheProblem()
    {
        var bytes = File.ReadAllBytes(GoodFile());
        bytes[bytes.Length / 2] ^= 0x10;
        var damaged = _dir.File("damaged.pets");
        File.WriteAllBytes(damaged, bytes);
        var (exit, _, err) = Pets("verify", damaged);
        Assert.Equal(2, exit);
        Assert.Contains(damaged, err);
        Assert.Contains("checksum", err);
        var (jexit, json, _) = Pets("verify", damaged, "--json");
        Assert.Equal(2, jexit);
        Assert.False(JsonDocument.Parse(json).RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Verify_MissingFile_ExitsThree()
    {
        var (exit, _, err) = Pets("verify", _dir.File("none.pets"));
        Assert.Equal(3, exit);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void Dump_PrintsEveryObjectAsJson_WithoutTheApplicationsTypes()
    {
        var path = GoodFile();
        var (exit, output, _) = Pets("dump", path);
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(25, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(1, first.GetProperty("Id").GetInt32());
        Assert.Equal("person-1", first.GetProperty("Name").GetString());
        var (_, array, _) = Pets("dump", path, "--format", "json", "--limit", "3");
        Assert.Equal(3, JsonDocument.Parse(array).RootElement.GetArrayLength());
    }

    [Fact]
    public void LogCheckAndRepair_OnATornAndADamagedLog()
    {
        var path = _dir.File("logged.pets");
        var t = PersistentTable.New("logged", path, (Row r) => r.Id,
            new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), Durability = DurabilityMode.Log });
        for (var i = 0; i < 6; i++) t.Insert(new Row(i, "n" + i));
        t.Persistence!.Abandon();
        t.Dispose();
        var segment = Directory.GetFiles(_dir.Path, "*.wal").Single();
        var good = File.ReadAllBytes(segment);

        File.WriteAllBytes(segment, good[..^5]); // torn: the last record cut short
        var (exit, output, _) = Pets("log", "check", path);
        Assert.Equal(0, exit);
        Assert.Contains("torn last record", output);
        Assert.Contains($"{typeof(Row).FullName} at schema version 0", output);

        long headerLength;
        using (var stream = new MemoryStream(good))
            PersistentEts.Persistence.Log.LogSegmentHeader.Read(stream, segment, PersistentEts.Persistence.Log.LogFormat.FindSegments(path)[0].Seq, true, out headerLength);
        var damaged = (byte[])good.Clone();
        damaged[headerLength + 10] ^= 0xFF; // inside the first record, with records after it
        File.WriteAllBytes(segment, damaged);
        var (cexit, _, err) = Pets("log", "check", path);
        Assert.Equal(2, cexit);
        Assert.Contains(segment, err);
        var (rexit, routput, _) = Pets("log", "repair", path);
        Assert.Equal(0, rexit);
        Assert.Contains("cut", routput);
        Assert.Equal(0, Pets("log", "check", path).Exit);
    }

    [Fact]
    public void Demo_ShowsTheSeedsExample_AndExitsZero()
    {
        var (exit, output, err) = Pets("demo", _dir.Path);
        Assert.True(exit == 0, output + err);
        Assert.Contains("killed the owner", output);
        Assert.Contains("a=1 b=2 c=3", output);
    }
}
