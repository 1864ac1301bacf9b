using PersistentEts.Persistence;
using PersistentEts.Persistence.Log;

namespace PersistentEts.Tests.Schema;

/// <summary>Migrations: run version by version on the raw stored objects of the snapshot and the log after it.</summary>
public sealed class MigrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly PersistentTableOptions Logged = SchemaFiles.Options(log: true);

    // Version 0 → 1: Name becomes FullName and Count is counted in tenths. Version 1 → 2: an Email from the name.
    private static readonly SchemaMigration[] Steps =
    [
        new(0, o =>
        {
            o.Rename("Name", "FullName");
            o["Count"] = (long)o["Count"]! * 10;
        }),
        new(1, o => o["Email"] = o["FullName"] + "@example.org"),
    ];

    /// <summary>Ada in a snapshot at version 0, Bob in the log after it; as if written by TwoSteps' namespace.</summary>
    private string SnapshotAndLogAtVersion0()
    {
        var path = _dir.File("rows.pets");
        var t = PersistentTable.New("rows", path, (V1.Row r) => r.Id, Logged);
        t.Insert(SchemaFiles.Ada);
        t.Persistence!.Flush();
        t.Insert(SchemaFiles.Bob);
        t.Persistence.Abandon();
        t.Dispose();
        SchemaFiles.Retarget(path, "PersistentEts.Tests.Schema.TwoSteps.");
        return path;
    }

    [Fact]
    public void TwoSteps_RunInOrder_OnTheSnapshotAndTheLog_AndTheOldFilesAreKept()
    {
        var path = SnapshotAndLogAtVersion0();
        var before = SchemaFiles.Contents(path);
        Assert.Equal(2, before.Count); // the snapshot and one segment

        using (var t = PersistentTable.New("rows", path, (TwoSteps.Row r) => r.Id, Logged with { SchemaVersion = 2, Migrations = Steps }))
        {
            var ada = t.Lookup(1).Single();
            Assert.Equal(("ada", 100, "ada@example.org", TwoSteps.Kind.High), (ada.FullName, ada.Count, ada.Email, ada.Level));
            var bob = t.Lookup(2).Single();
            Assert.Equal(("bob", 200, "bob@example.org", (string?)null), (bob.FullName, bob.Count, bob.Email, bob.Nick));
            // Saved at once at version 2; the replayed segment is retired.
            Assert.Equal(2, Snapshot.ReadInfo(path).Header.SchemaVersion);
        }
        var backup = Path.Combine(path + ".v0.bak", "rows.pets");
        Assert.Equal(before.Values, SchemaFiles.Contents(backup).Values);
        Assert.Equal(LogFormat.SegmentPath(backup, LogFormat.FindSegments(backup)[0].Seq), SchemaFiles.Contents(backup).Keys.Last());
    }

    [Fact]
    public void AFileAtVersion1_RunsOnlyTheSecondStep()
    {
        var path = _dir.File("rows.pets");
        SchemaFiles.WriteV1(path, asLog: false);
        SchemaFiles.Retarget(path, "PersistentEts.Tests.Schema.Renamed.");
        using (PersistentTable.New("rows", path, (Renamed.Row r) => r.Id, Logged with { SchemaVersion = 1, Migrations = [Steps[0]] }))
        {
        }
        SchemaFiles.Retarget(path, "PersistentEts.Tests.Schema.TwoSteps.", "PersistentEts.Tests.Schema.Renamed.");

        using var t = PersistentTable.New("rows", path, (TwoSteps.Row r) => r.Id, Logged with { SchemaVersion = 2, Migrations = Steps });
        Assert.Equal([100, 200], t.ToList().OrderBy(r => r.Id).Select(r => r.Count)); // ×10 once, not twice
        Assert.Equal(["ada@example.org", "bob@example.org"], t.ToList().OrderBy(r => r.Id).Select(r => r.Email));
        Assert.True(Directory.Exists(path + ".v1.bak"));
    }

    [Fact]
    public void AFileOfANewerVersion_IsRefused_AndUntouched()
    {
        var path = _dir.File("rows.pets");
        SchemaFiles.WriteV1(path, asLog: false, schemaVersion: 3);
        var before = SchemaFiles.Contents(path);
        var e = Assert.Throws<SchemaMigrationException>(() => PersistentTable.New("rows", path, (V1.Row r) => r.Id, Logged with { SchemaVersion = 2 }));
        Assert.Equal((path, 3, 2), (e.FilePath, e.FileVersion, e.TableVersion));
        Assert.Contains("newer version", e.Message);
        Assert.Equal(before, SchemaFiles.Contents(path));
    }

    [Fact]
    public void AFailingStep_IsReported_NamingTheObjectAndTheStep_AndNothingIsWritten()
    {
        var path = SnapshotAndLogAtVersion0();
        var before = SchemaFiles.Contents(path);
        SchemaMigration[] failing = [Steps[0], new(1, o => o["Email"] = o["Nick"] ?? throw new InvalidOperationException("no nick"))];
        var e = Assert.Throws<SchemaMigrationException>(() =>
            PersistentTable.New("rows", path, (TwoSteps.Row r) => r.Id, Logged with { SchemaVersion = 2, Migrations = failing }));
        Assert.Contains("the migration from version 1 failed on object 0 (InvalidOperationException: no nick)", e.Message);
        Assert.Equal(LogFormat.FindSegments(path)[0].Path, e.FilePath); // Bob, in the log, has no nick
        Assert.Equal(before, SchemaFiles.Contents(path));
        Assert.False(Directory.Exists(path + ".v0.bak"));
    }

    [Fact]
    public void AStepThatLeavesAMemberTheTypeLacks_IsRefused_NamingTheObject()
    {
        var path = SnapshotAndLogAtVersion0();
        var e = Assert.Throws<SchemaMismatchException>(() => PersistentTable.New("rows", path, (TwoSteps.Row r) => r.Id,
            Logged with { SchemaVersion = 2, Migrations = [Steps[0], new(1, o => { o["Email"] = "x"; o["Extra"] = 1; })] }));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith("object 0 after migration to version 2: Row.Extra is in the object but not in the type", e.Differences.Single());
    }

    [Fact]
    public void AStepThatLeavesAValueOfTheWrongType_IsRefused_NamingTheMember()
    {
        var path = _dir.File("rows.pets");
        SchemaFiles.WriteV1(path, asLog: false);
        SchemaFiles.Retarget(path, "PersistentEts.Tests.Schema.Widened.");
        var e = Assert.Throws<SchemaMismatchException>(() => PersistentTable.New("rows", path, (Widened.Row r) => r.Id,
            Logged with { SchemaVersion = 1, Migrations = [new(0, o => o["Count"] = "many")] }));
        Assert.Equal("object 0 after migration to version 1: Row.Count holds a string (\"many\") where System.Int64 is expected", e.Differences.Single());
    }

    [Fact]
    public void AVersionBumpWithoutSteps_StillChecksTheShape_AndSavesAtTheNewVersion()
    {
        var path = _dir.File("rows.pets");
        SchemaFiles.WriteV1(path, asLog: false);
        SchemaFiles.Retarget(path, "PersistentEts.Tests.Schema.Renamed.");
        Assert.Throws<SchemaMismatchException>(() => PersistentTable.New("rows", path, (Renamed.Row r) => r.Id, Logged with { SchemaVersion = 1 }));

        SchemaFiles.Retarget(path, "PersistentEts.Tests.Schema.NullableAdded.", "PersistentEts.Tests.Schema.Renamed.");
        using (PersistentTable.New("rows", path, (NullableAdded.Row r) => r.Id, Logged with { SchemaVersion = 1 }))
        {
        }
        Assert.Equal(1, Snapshot.ReadInfo(path).Header.SchemaVersion);
    }

    [Theory]
    [InlineData(1, 1)]   // a step from the table's own version leads nowhere
    [InlineData(-1, 1)]
    public void StepsOutsideTheVersions_AreRefusedAtTheDoor(int from, int version)
    {
        var e = Assert.Throws<EtsArgumentException>(() => PersistentTable.New("rows", _dir.File("rows.pets"), (V1.Row r) => r.Id,
            Logged with { SchemaVersion = version, Migrations = [new(from, _ => { })] }));
        Assert.Equal("Migrations", e.ParamName);
    }

    [Fact]
    public void TwoStepsFromOneVersion_AreRefusedAtTheDoor()
    {
        var e = Assert.Throws<EtsArgumentException>(() => PersistentTable.New("rows", _dir.File("rows.pets"), (V1.Row r) => r.Id,
            Logged with { SchemaVersion = 2, Migrations = [new(0, _ => { }), new(0, _ => { })] }));
        Assert.Contains("Two migrations start at version 0", e.Message);
    }
}
