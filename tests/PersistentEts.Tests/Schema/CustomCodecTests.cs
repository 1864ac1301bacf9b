using PersistentEts.Persistence;

namespace PersistentEts.Tests.Schema;

/// <summary>A custom codec stores and reloads tables; it chooses whether schema checks apply by supplying a schema or not.</summary>
public sealed class CustomCodecTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>V1 rows written with the JSON codec, as a snapshot or a log, retargeted to <typeparamref name="TRow"/>'s namespace.</summary>
    private string FileFor<TRow>(bool asLog, bool describeSchema)
    {
        var path = _dir.File($"rows-{asLog}-{describeSchema}.pets");
        SchemaFiles.WriteV1(path, asLog, codec: new JsonCodec<V1.Row>(describeSchema));
        SchemaFiles.Retarget(path, typeof(TRow).Namespace + ".");
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATableWithAnotherCodec_SavesAndReloads(bool asLog)
    {
        var path = FileFor<V1.Row>(asLog, describeSchema: true);
        using (var t = PersistentTable.New("rows", path, (V1.Row r) => r.Id, SchemaFiles.Options(asLog), new JsonCodec<V1.Row>(true)))
            Assert.Equal([SchemaFiles.Ada.ToString(), SchemaFiles.Bob.ToString()], t.ToList().OrderBy(r => r.Id).Select(r => r.ToString()));
        var header = Snapshot.ReadInfo(path).Header;
        Assert.Equal(("json/1", StoredSchema.Describe(typeof(V1.Row))), (header.Codec, header.Schema));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACodecThatSuppliesASchema_GetsTheSameChecks(bool asLog)
    {
        var path = FileFor<Removed.Row>(asLog, describeSchema: true);
        var e = Assert.Throws<SchemaMismatchException>(() =>
            PersistentTable.New("rows", path, (Removed.Row r) => r.Id, SchemaFiles.Options(asLog), new JsonCodec<Removed.Row>(true)));
        Assert.StartsWith("Row.Nick (String) is in the file but not in the type", e.Differences.Single());

        using var t = PersistentTable.New("rows", path, (Removed.Row r) => r.Id, SchemaFiles.Options(asLog) with { AcceptDroppedMembers = ["Row.Nick"] },
            new JsonCodec<Removed.Row>(true));
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void ACodecThatOptsOut_IsNotChecked_ItOwnsItsEvolution()
    {
        var path = FileFor<Removed.Row>(asLog: false, describeSchema: false);
        Assert.Null(Snapshot.ReadInfo(path).Header.Schema);
        using var t = PersistentTable.New("rows", path, (Removed.Row r) => r.Id, SchemaFiles.Options(false), new JsonCodec<Removed.Row>(false));
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void MigrationsWithAnotherCodec_AreRefused_TheCodecReadsItsOwnOldVersions()
    {
        var path = FileFor<Renamed.Row>(asLog: false, describeSchema: true);
        var e = Assert.Throws<SchemaMigrationException>(() => PersistentTable.New("rows", path, (Renamed.Row r) => r.Id,
            SchemaFiles.Options(false) with { SchemaVersion = 1, Migrations = [new(0, o => o.Rename("Name", "FullName"))] }, new JsonCodec<Renamed.Row>(true)));
        Assert.Contains("codec 'json/1' must read its older versions itself", e.Message);
    }

    [Fact]
    public void AnotherCodecsDecodeFailure_IsNotExplainedAsMessagePack()
    {
        var path = _dir.File("json-retyped.pets");
        using (var t = PersistentTable.New("rows", path, (Retyped.Row r) => r.Id, SchemaFiles.Options(false), new JsonCodec<Retyped.Row>(true)))
            t.Insert(new Retyped.Row(1, "ada", null, "ten", new Retyped.Address("Main St"), Retyped.Kind.Low, []));
        SchemaFiles.Retarget(path, SchemaFiles.V1Namespace, "PersistentEts.Tests.Schema.Retyped.");
        SchemaFiles.RewriteHeaders(path, h => h with { Schema = null }, s => s);
        // The JSON codec's own error, reported as a file that cannot be read: its bytes are not MessagePack maps.
        var e = Assert.Throws<SnapshotFileException>(() =>
            PersistentTable.New("rows", path, (V1.Row r) => r.Id, SchemaFiles.Options(false), new JsonCodec<V1.Row>(true)));
        Assert.Contains("cannot be decoded as Row", e.Message);
    }
}
