using System.Buffers;
using MessagePack;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Reads objects of another shape than the type now: each stored object becomes its member map, the
/// migration steps (if any: a file of the same version may only lack members with defaults) run on it in
/// order, the result is brought to the type now (defaults filled; nothing dropped or invented without
/// consent) and decoded by the table's codec. Only reads: a table writes its own version.
/// </summary>
internal sealed class MigratingCodec<TObject>(IObjectCodec<TObject> inner, string path, int fromVersion, int toVersion,
    IReadOnlyList<SchemaMigration> steps, ObjectConformance conformance) : IObjectCodec<TObject>
{
    // Objects read so far from this file, for naming the one that fails. Reads of one file are sequential.
    private long _objects;

    public string Id => inner.Id;

    public string? Schema => inner.Schema;

    public void Write(IBufferWriter<byte> writer, TObject obj) =>
        throw new InvalidOperationException("A migrating reader does not write; the table writes with its own codec.");

    public TObject Read(ReadOnlyMemory<byte> source, out int bytesRead)
    {
        var index = _objects++;
        var reader = new MessagePackReader(source);
        if (StoredValues.Read(ref reader) is not StoredObject obj)
            throw new SchemaMigrationException(path, fromVersion, toVersion, $"object {index} is not stored as a member map, so migrations cannot read it");
        bytesRead = (int)reader.Consumed;
        foreach (var step in steps)
        {
            try
            {
                step.Upgrade(obj);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new SchemaMigrationException(path, fromVersion, toVersion,
                    $"the migration from version {step.FromVersion} failed on object {index} ({e.GetType().Name}: {e.Message})", e);
            }
        }
        var where = steps.Count > 0 ? $"object {index} after migration to version {toVersion}" : $"object {index}";
        var differences = conformance.Conform(obj);
        if (differences.Count > 0)
            throw new SchemaMismatchException(path, typeof(TObject).Name, differences.Select(d => $"{where}: {d}").ToList());
        var migrated = StoredValues.Encode(obj);
        try
        {
            return inner.Read(migrated, out _);
        }
        catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
        {
            // Named by the migrated value, not the stored one: that is what did not fit.
            throw (Exception?)DecodeDiagnosis.Mismatch(path, migrated, inner, where, e)
                  ?? new SchemaMigrationException(path, fromVersion, toVersion, $"object {index} cannot be decoded after migration ({e.Message})", e);
        }
    }
}
