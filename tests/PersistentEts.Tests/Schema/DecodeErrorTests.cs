using PersistentEts.Persistence;

namespace PersistentEts.Tests.Schema;

/// <summary>
/// An object whose stored value does not fit its member is reported by object, member, stored value and
/// expected type, from a snapshot and from a log, even when no schema was recorded to catch it first.
/// </summary>
public sealed class DecodeErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Rows whose Count is a string, in files that claim V1 (Count: int) and record no schema.</summary>
    private string MislabeledFile(bool asLog)
    {
        var path = _dir.File("rows.pets");
        var t = PersistentTable.New("rows", path, (Retyped.Row r) => r.Id, SchemaFiles.Options(asLog));
        t.Insert(new Retyped.Row(1, "ada", null, "ten", new Retyped.Address("Main St"), Retyped.Kind.Low, []));
        if (asLog) t.Persistence!.Abandon();
        t.Dispose();
        SchemaFiles.Retarget(path, SchemaFiles.V1Namespace, "PersistentEts.Tests.Schema.Retyped.");
        SchemaFiles.RewriteHeaders(path, h => h with { Schema = null }, s => s with { Schema = null });
        return path;
    }

    [Theory]
    [InlineData(false, "object 0 of the block at byte ")]
    [InlineData(true, "the record at byte ")]
    public void AValueOfTheWrongType_IsNamedByObjectMemberAndTypes(bool asLog, string where)
    {
        var path = MislabeledFile(asLog);
        var e = Assert.Throws<SchemaMismatchException>(() => PersistentTable.New("rows", path, (V1.Row r) => r.Id, SchemaFiles.Options(asLog)));
        var difference = e.Differences.Single();
        Assert.StartsWith(where, difference);
        Assert.EndsWith(": Row.Count holds a string (\"ten\") where System.Int32 is expected", difference);
        Assert.Contains(asLog ? ".wal" : "rows.pets'", e.Message);
    }

    [Fact]
    public void AValueOfTheWrongType_InsideACollection_IsNamedWithItsIndex()
    {
        var path = _dir.File("rows.pets");
        using (var t = PersistentTable.New("rows", path, (ElementRetyped.Row r) => r.Id, SchemaFiles.Options(false)))
            t.Insert(new ElementRetyped.Row(1, "ada", null, 1, new ElementRetyped.Address("Main St"), ElementRetyped.Kind.Low, ["1", "two"]));
        SchemaFiles.Retarget(path, SchemaFiles.V1Namespace, "PersistentEts.Tests.Schema.ElementRetyped.");
        SchemaFiles.RewriteHeaders(path, h => h with { Schema = null }, s => s);
        var e = Assert.Throws<SchemaMismatchException>(() => PersistentTable.New("rows", path, (V1.Row r) => r.Id, SchemaFiles.Options(false)));
        Assert.EndsWith("Row.Scores[0] holds a string (\"1\") where System.Int32 is expected", e.Differences.Single());
    }

    [Fact]
    public void Damage_IsStillReportedAsDamage()
    {
        var path = _dir.File("rows.pets");
        using (var t = PersistentTable.New("rows", path, (V1.Row r) => r.Id, SchemaFiles.Options(false) with
               { Write = SnapshotWriteOptions.Default with { Checksums = false, Compress = false } }))
            t.Insert(SchemaFiles.Ada);
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf("Main St"u8);
        bytes[at - 1] = 0xc1; // a MessagePack code that is never valid, where the street's string header was
        File.WriteAllBytes(path, bytes);
        Assert.Throws<SnapshotFileException>(() => PersistentTable.New("rows", path, (V1.Row r) => r.Id, SchemaFiles.Options(false)));
    }
}
