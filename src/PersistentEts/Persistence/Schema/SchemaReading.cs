namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Decides, for each file a table opens (its snapshot, then each log segment after it), how that file's
/// objects are read: as they are when the file's schema version is the table's (after the schema check),
/// or through the migration steps from the file's version up when it is older. A file of a newer version
/// is refused: the older code would drop what the newer one added.
/// </summary>
/// <param name="codec">The table's codec.</param>
/// <param name="tableVersion">The table's <see cref="PersistentTableOptions.SchemaVersion"/>.</param>
/// <param name="migrations">The table's migration steps.</param>
/// <param name="acceptDropped">Members the caller agreed to drop, as <c>Type.Member</c>.</param>
internal sealed class SchemaReading<TObject>(IObjectCodec<TObject> codec, int tableVersion, IReadOnlyList<SchemaMigration> migrations,
    IReadOnlyCollection<string> acceptDropped)
{
    private readonly IReadOnlySet<string> _acceptDropped = acceptDropped.ToHashSet(StringComparer.Ordinal);

    /// <summary>The lowest schema version a file was migrated from, or null when nothing was migrated.</summary>
    public int? MigratedFrom { get; private set; }

    /// <summary>Some file was read in another shape than the table writes: the first save must not be skipped.</summary>
    public bool Reshaped { get; private set; }

    /// <summary>A reader for one file. <paramref name="schema"/> is the schema the file recorded (null before format 2 or when its codec opted out).</summary>
    public IObjectCodec<TObject> ReaderFor(string path, string? schema, int fileVersion)
    {
        if (fileVersion > tableVersion)
            throw new SchemaMigrationException(path, fileVersion, tableVersion,
                "it was written by a newer version of the application; opening it with an older one could drop what that version added");
        var steps = migrations.Where(m => m.FromVersion >= fileVersion && m.FromVersion < tableVersion).OrderBy(m => m.FromVersion).ToList();
        var now = codec.Schema;
        if (fileVersion < tableVersion) MigratedFrom = Math.Min(MigratedFrom ?? fileVersion, fileVersion);
        if (steps.Count == 0)
        {
            // Same version, or versions between which no step changes an object: the shapes must agree.
            if (schema is null || now is null || schema == now) return codec;
            Reshaped = true;
            var outcome = SchemaCheck.Check(path, schema, typeof(TObject), now, _acceptDropped);
            // The default codec loads a missing member as 0 or null, not as its default: fill it in first.
            return outcome.FillsDefaults && codec is MessagePackObjectCodec<TObject>
                ? new MigratingCodec<TObject>(codec, path, fileVersion, tableVersion, [], ObjectConformance.Of(typeof(TObject), now, _acceptDropped))
                : codec;
        }
        if (codec is not MessagePackObjectCodec<TObject> || now is null)
            throw new SchemaMigrationException(path, fileVersion, tableVersion,
                $"migrations work on the default codec's member maps; codec '{codec.Id}' must read its older versions itself");
        Reshaped = true;
        return new MigratingCodec<TObject>(codec, path, fileVersion, tableVersion, steps, ObjectConformance.Of(typeof(TObject), now, _acceptDropped));
    }
}
