using System.Linq.Expressions;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Log;

namespace PersistentEts.Tests.Schema;

/// <summary>
/// Every change of the matrix, applied to files written by V1: the safe changes open with every stored
/// value intact; the rest are refused naming each member, with the files untouched, and open only through
/// an option that names what is dropped or a migration that says what becomes of it. Run once for a
/// snapshot and once for a log replayed with no snapshot before it.
/// </summary>
public abstract class SchemaMatrixTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>True: the V1 rows are only in log segments; false: only in a snapshot.</summary>
    protected abstract bool FromLog { get; }

    public void Dispose() => _dir.Dispose();

    private PersistentTableOptions Options => SchemaFiles.Options(FromLog);

    /// <summary>A file of <see cref="SchemaFiles.Ada"/> and <see cref="SchemaFiles.Bob"/> as if written by <typeparamref name="TRow"/>'s namespace.</summary>
    private string FileFor<TRow>()
    {
        var path = _dir.File(typeof(TRow).Namespace!.Split('.')[^1] + ".pets");
        SchemaFiles.WriteV1(path, FromLog);
        SchemaFiles.Retarget(path, typeof(TRow).Namespace + ".");
        return path;
    }

    /// <summary>The file the check reads first: the snapshot, or the first segment of a log alone.</summary>
    private string CheckedFile(string path) => FromLog ? LogFormat.FindSegments(path)[0].Path : path;

    /// <summary>Opens, reads every object in key order, closes.</summary>
    private static List<TRow> Rows<TRow, TKey>(string path, Expression<Func<TRow, TKey>> key, PersistentTableOptions options) where TKey : notnull
    {
        using var t = PersistentTable.New("rows", path, key, options);
        return t.ToList().OrderBy(key.Compile()).ToList();
    }

    /// <summary>Asserts the open is refused with <typeparamref name="TException"/> and that no file changed.</summary>
    private TException Refused<TException, TRow, TKey>(string path, Expression<Func<TRow, TKey>> key, PersistentTableOptions? options = null)
        where TException : Exception where TKey : notnull
    {
        var before = SchemaFiles.Contents(path);
        var e = Assert.Throws<TException>(() => PersistentTable.New("rows", path, key, options ?? Options));
        Assert.Equal(before, SchemaFiles.Contents(path)); // never load-and-erase
        return e;
    }

    private SchemaMismatchException RefusedSchema<TRow>(string path, Expression<Func<TRow, int>> key)
    {
        var e = Refused<SchemaMismatchException, TRow, int>(path, key);
        Assert.Equal(CheckedFile(path), e.FilePath);
        return e;
    }

    /// <summary>Migrates with the steps, then checks the files were saved at the new version with the old ones kept beside them.</summary>
    private List<TRow> Migrated<TRow>(string path, Expression<Func<TRow, int>> key, params SchemaMigration[] steps)
    {
        var before = SchemaFiles.Contents(path);
        var rows = Rows(path, key, Options with { SchemaVersion = 1, Migrations = steps });
        Assert.Equal(1, Snapshot.ReadInfo(path).Header.SchemaVersion);
        var backup = path + ".v0.bak";
        var kept = before.ToDictionary(f => Path.Combine(backup, Path.GetFileName(f.Key)), f => f.Value);
        Assert.Equal(kept, SchemaFiles.Contents(Path.Combine(backup, Path.GetFileName(path))).ToDictionary(f => f.Key, f => f.Value));
        // At version 1 now: opens without the steps and holds the same.
        Assert.Equal(rows.Select(r => r!.ToString()), Rows(path, key, Options with { SchemaVersion = 1 }).Select(r => r!.ToString()));
        return rows;
    }

    [Fact]
    public void TheSameType_OpensWithEveryValue()
    {
        Assert.Equal([SchemaFiles.Ada.ToString(), SchemaFiles.Bob.ToString()],
            Rows(FileFor<V1.Row>(), (V1.Row r) => r.Id, Options).Select(r => r.ToString()));
    }

    [Fact]
    public void ANullableMemberAdded_Opens_WithNullForOldObjects()
    {
        var rows = Rows(FileFor<NullableAdded.Row>(), (NullableAdded.Row r) => r.Id, Options);
        Assert.Equal(["ada", "bob"], rows.Select(r => r.Name));
        Assert.All(rows, r => Assert.Null(r.Email));
        Assert.Equal([1, 2], rows[0].Scores);
    }

    [Fact]
    public void AMemberWithADefaultAdded_Opens_WithTheDefault()
    {
        var rows = Rows(FileFor<DefaultedAdded.Row>(), (DefaultedAdded.Row r) => r.Id, Options);
        Assert.Equal([10, 20], rows.Select(r => r.Count));
        Assert.All(rows, r => Assert.Equal(7, r.Rank));
    }

    [Fact]
    public void ARequiredMemberAdded_IsRefused_NamingIt_AndMigrates()
    {
        var path = FileFor<RequiredAdded.Row>();
        var e = RefusedSchema(path, (RequiredAdded.Row r) => r.Id);
        Assert.Equal(["Row.Email"], e.Differences.Select(d => d.Split(' ')[0]));
        Assert.Contains("would load as null or default", e.Message);

        var rows = Migrated(path, (RequiredAdded.Row r) => r.Id, new SchemaMigration(0, o => o["Email"] = o["Name"] + "@example.org"));
        Assert.Equal(["ada@example.org", "bob@example.org"], rows.Select(r => r.Email));
    }

    [Fact]
    public void ARemovedMember_IsRefused_UntilTheCallerNamesIt()
    {
        var path = FileFor<Removed.Row>();
        var e = RefusedSchema(path, (Removed.Row r) => r.Id);
        Assert.Equal(["Row.Nick (String) is in the file but not in the type: its values would be dropped (accept with AcceptDroppedMembers = [\"Row.Nick\"], or migrate)"],
            e.Differences);
        // Naming another member is not consent to this one.
        Refused<SchemaMismatchException, Removed.Row, int>(path, r => r.Id, Options with { AcceptDroppedMembers = ["Row.Name"] });

        var rows = Rows(path, (Removed.Row r) => r.Id, Options with { AcceptDroppedMembers = ["Row.Nick"] });
        Assert.Equal(["ada", "bob"], rows.Select(r => r.Name));
        Assert.Equal([10, 20], rows.Select(r => r.Count));
    }

    [Fact]
    public void ARenamedMember_IsRefused_AsOneDroppedAndOneMissing_AndMigratesKeepingTheValues()
    {
        var path = FileFor<Renamed.Row>();
        var e = RefusedSchema(path, (Renamed.Row r) => r.Id);
        Assert.Equal(2, e.Differences.Count);
        Assert.Contains(e.Differences, d => d.StartsWith("Row.Name ", StringComparison.Ordinal) && d.Contains("dropped"));
        Assert.Contains(e.Differences, d => d.StartsWith("Row.FullName ", StringComparison.Ordinal) && d.Contains("required"));

        var rows = Migrated(path, (Renamed.Row r) => r.Id, new SchemaMigration(0, o => o.Rename("Name", "FullName")));
        Assert.Equal(["ada", "bob"], rows.Select(r => r.FullName));
        Assert.Equal(["a", null], rows.Select(r => r.Nick));
    }

    [Fact]
    public void AWideningTypeChange_Opens_WithTheSameValues()
    {
        Assert.Equal([10L, 20L], Rows(FileFor<Widened.Row>(), (Widened.Row r) => r.Id, Options).Select(r => r.Count));
    }

    [Fact]
    public void AnotherTypeChange_IsRefused_NamingBothTypes_AndMigrates()
    {
        var path = FileFor<Retyped.Row>();
        var e = RefusedSchema(path, (Retyped.Row r) => r.Id);
        Assert.Equal(["Row.Count changed type from Int32 to String"], e.Differences);

        var rows = Migrated(path, (Retyped.Row r) => r.Id, new SchemaMigration(0, o => o["Count"] = $"{o["Count"]} items"));
        Assert.Equal(["10 items", "20 items"], rows.Select(r => r.Count));
    }

    [Fact]
    public void AMemberThatMayNowBeNull_Opens()
    {
        Assert.Equal(["ada", "bob"], Rows(FileFor<NowNullable.Row>(), (NowNullable.Row r) => r.Id, Options).Select(r => r.Name));
    }

    [Fact]
    public void AMemberThatMayNoLongerBeNull_Opens_KeepingTheStoredNulls()
    {
        // Nothing is lost: the stored values come back as they were, nulls included (see docs/schema-evolution.md).
        Assert.Equal(["a", null], Rows(FileFor<NowNonNullable.Row>(), (NowNonNullable.Row r) => r.Id, Options).Select(r => r.Nick));
    }

    [Fact]
    public void ANestedRecordsMemberRenamed_IsRefused_NamingTheNestedMember_AndMigrates()
    {
        var path = FileFor<NestedRenamed.Row>();
        var e = RefusedSchema(path, (NestedRenamed.Row r) => r.Id);
        Assert.Contains(e.Differences, d => d.StartsWith("Address.Street ", StringComparison.Ordinal));
        Assert.Contains(e.Differences, d => d.StartsWith("Address.StreetName ", StringComparison.Ordinal));

        var rows = Migrated(path, (NestedRenamed.Row r) => r.Id, new SchemaMigration(0, o => o.Nested("Home")!.Rename("Street", "StreetName")));
        Assert.Equal(["Main St", "Elm St"], rows.Select(r => r.Home.StreetName));
    }

    [Fact]
    public void AnEnumMemberAdded_Opens_WithTheStoredValues()
    {
        Assert.Equal([EnumAdded.Kind.High, EnumAdded.Kind.Low], Rows(FileFor<EnumAdded.Row>(), (EnumAdded.Row r) => r.Id, Options).Select(r => r.Level));
    }

    [Fact]
    public void ACollectionsElementTypeChanged_IsRefused_AndMigrates()
    {
        var path = FileFor<ElementRetyped.Row>();
        var e = RefusedSchema(path, (ElementRetyped.Row r) => r.Id);
        Assert.Equal(["Row.Scores changed type from List<Int32> to List<String>"], e.Differences);

        var rows = Migrated(path, (ElementRetyped.Row r) => r.Id,
            new SchemaMigration(0, o => o["Scores"] = ((List<object?>)o["Scores"]!).Select(s => (object?)$"#{s}").ToList()));
        Assert.Equal(["#1", "#2"], rows[0].Scores);
        Assert.Empty(rows[1].Scores);
    }

    [Fact]
    public void TheKeyTypeChanged_IsRefused_NamingBothTypes_EvenWithAMigration()
    {
        var path = FileFor<KeyRetyped.Row>();
        foreach (var options in new[] { Options, Options with { SchemaVersion = 1, Migrations = [new(0, _ => { })] } })
        {
            var e = Refused<SnapshotMismatchException, KeyRetyped.Row, long>(path, r => r.Id, options);
            Assert.Equal(("key type", "System.Int32", "System.Int64"), (e.Option, e.InFile, e.Requested));
            Assert.Equal(CheckedFile(path), e.FilePath);
        }
    }

    [Fact]
    public void TheKeySelectorsParameterRenamed_Opens()
    {
        Assert.Equal(2, Rows(FileFor<V1.Row>(), (V1.Row row) => row.Id, Options).Count);
    }

    [Fact]
    public void AnotherKey_IsRefused_NamingBothSelectors()
    {
        var e = Refused<SnapshotMismatchException, V1.Row, int>(FileFor<V1.Row>(), r => r.Count);
        Assert.Equal(("key", "r => r.Id", "r => r.Count"), (e.Option, e.InFile, e.Requested));
    }
}

/// <summary>The matrix on a snapshot.</summary>
public sealed class SchemaMatrixFromSnapshotTests : SchemaMatrixTests
{
    protected override bool FromLog => false;
}

/// <summary>The matrix on a log replayed at open, with no snapshot before it.</summary>
public sealed class SchemaMatrixFromLogTests : SchemaMatrixTests
{
    protected override bool FromLog => true;
}
