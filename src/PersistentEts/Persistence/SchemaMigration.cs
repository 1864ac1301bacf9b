namespace PersistentEts.Persistence;

/// <summary>
/// One step of a schema migration: upgrades a stored object written at schema version
/// <see cref="FromVersion"/> to version <see cref="FromVersion"/> + 1, in place, on its raw member map.
/// A table whose <see cref="PersistentTableOptions.SchemaVersion"/> is higher than a file's runs the steps
/// from the file's version up, in order, on every object of the snapshot and of the log records replayed
/// after it (see docs/schema-evolution.md).
/// </summary>
/// <param name="FromVersion">The schema version this step reads.</param>
/// <param name="Upgrade">Changes one object from <see cref="FromVersion"/> to the next version.</param>
public sealed record SchemaMigration(int FromVersion, Action<StoredObject> Upgrade);
