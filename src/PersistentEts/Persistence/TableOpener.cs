using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersistentEts.Persistence.Format;
using PersistentEts.Persistence.IO;
using PersistentEts.Persistence.Log;
using PersistentEts.Tables;

namespace PersistentEts.Persistence;

/// <summary>
/// Opens a persistent table in one order: check the path, take ownership of its files, build the table
/// with its log and save loop, load the snapshot, replay the log, start the log and the loop, and only
/// then publish the table (its name, <see cref="Ets.All"/>). Nothing can see a table that is half loaded,
/// and an open that fails leaves no table and no held files behind.
/// </summary>
internal static class TableOpener
{
    public static PersistentEtsTable<TKey, TObject> Open<TKey, TObject>(string name, string path, Func<TObject, TKey> keyOf, string keyText,
        PersistentTableOptions options, IObjectCodec<TObject> codec, IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality,
        CancellationToken ownerLifetime, IFileSystem fs) where TKey : notnull
    {
        Ets.ValidateName(name, nameof(name));
        options.Validate();
        fs = fs is PhysicalFileSystem physical && physical.CreateMode != options.UnixCreateMode ? new PhysicalFileSystem(options.UnixCreateMode) : fs;
        var canonical = fs.Canonical(TableFiles.CheckPath(fs, path));
        CheckHeaderFits<TKey, TObject>(canonical, name, keyText, options, codec);
        var ownership = TableFileOwnership.Acquire(fs, canonical, name);
        var logger = options.Logger ?? NullLogger.Instance;
        WriteAheadLog<TObject>? wal = null;
        TablePersistenceOf<TKey, TObject>? persistence = null;
        Remote.RemoteReplica? remote = null;
        try
        {
            // The remote lease first, then the local file brought up to the remote one if it is missing or older.
            if (options.Remote is { } remoteOptions) remote = Remote.RemoteReplica.Open(remoteOptions, canonical, fs, logger);
            using var snapshot = SnapshotSource.Open(fs, canonical);
            var header = snapshot?.Reader.ReadHeader();
            var reading = new Schema.SchemaReading<TObject>(codec, options.SchemaVersion, options.Migrations, options.AcceptDroppedMembers);
            IObjectCodec<TObject>? snapshotReader = null;
            if (header is not null)
            {
                Snapshot.CheckCompatible(canonical, header, options.Table.Type, keyText, typeof(TKey), typeof(TObject), codec.Id);
                snapshotReader = reading.ReaderFor(canonical, header.Schema, header.SchemaVersion);
            }
            if (options.Durability == DurabilityMode.Log)
                wal = new WriteAheadLog<TObject>(name, canonical, codec, options.LogSync, options.LogSyncInterval, fs, logger,
                    new LogSegmentHeader(0, options.Table.Type.ToEtsName(), keyText, Snapshot.TypeName(typeof(TKey)), codec.Id,
                        Snapshot.TypeName(typeof(TObject)), codec.Schema, options.SchemaVersion));
            if (wal is not null && remote is not null) wal.ShipTo(remote, options.Remote!.LogSync, options.Remote.LogSyncInterval);
            var wiring = new TableWiring<TKey, TObject>(wal, core =>
                persistence = new TablePersistenceOf<TKey, TObject>(core, canonical, options, codec, fs, wal, ownership, remote));
            var table = Ets.Build(name, keyOf, keyText, options.Table, keyComparer, keyEquality, null, wiring,
                snapshot?.Reader.PeekObjectCount() ?? 0, core => new PersistentEtsTable<TKey, TObject>(core));

            if (snapshot is not null) Snapshot.LoadInto(snapshot.Reader, table.Core, snapshotReader!, options.VerifyOnLoad, canonical);
            // Whatever the mode now, changes logged after the snapshot are replayed, so switching a table from
            // Log to Snapshot durability loses nothing. After any replay the file no longer reflects the table
            // (even when the change counter did not move: a replayed clear, say), so the first save is never
            // skipped: it folds the replayed changes into a snapshot and retires the segments.
            var logFrom = header?.LogSegment ?? 0;
            var replay = LogRecovery.Replay(fs, canonical, logFrom, table.Core, (segment, segmentHeader) =>
            {
                Snapshot.CheckCompatible(segment, segmentHeader.TableType, segmentHeader.Key, segmentHeader.KeyType, segmentHeader.ObjectType,
                    segmentHeader.Codec, options.Table.Type, keyText, typeof(TKey), typeof(TObject), codec.Id);
                return reading.ReaderFor(segment, segmentHeader.Schema, segmentHeader.SchemaVersion);
            }, logger);
            if (header is not null || replay.Records > 0)
            {
                logger.LogInformation("Recovered table {Table} from {Path}: {Objects} objects, {Records} log records replayed",
                    name, canonical, table.Core.Count, replay.Records);
            }
            if (reading.MigratedFrom is { } from)
            {
                // Until the first save at the new version is durable the old files are the only copy of the
                // data at the old version; a copy of them stays beside the table for going back.
                var backup = Schema.SchemaBackup.Keep(fs, canonical, from, logFrom);
                logger.LogWarning("Migrated table {Table} from schema version {From} to {To}; the files at version {From} are kept in {Backup}",
                    name, from, options.SchemaVersion, from, backup);
            }
            // Followers read the store's log: it must hold every record this table now holds before new ones follow.
            if (wal is not null && remote is not null && options.Remote!.LogSync != LogSync.None)
                remote.ShipLocalTail(LogFormat.FindSegments(fs, canonical).Where(s => s.Seq >= logFrom));
            wal?.Start(Math.Max(Math.Max(logFrom, replay.LastSeq + 1), 1));
            persistence!.Start(replay.Records > 0 || reading.Reshaped || reading.MigratedFrom is not null ? NotSaved : table.Core.ChangeCount);
            // Migrated: saved at the new version now, so the old version is never read again but from the backup.
            if (reading.MigratedFrom is not null) persistence.Flush();
            if (options.Durability == DurabilityMode.Snapshot && LogFormat.FindSegments(fs, canonical).Count > 0)
            {
                // Left over from Log durability: fold into a snapshot now, then the segments can go.
                persistence.Flush();
                foreach (var (_, segment) in LogFormat.FindSegments(fs, canonical)) fs.Delete(segment);
            }
            return (PersistentEtsTable<TKey, TObject>)Ets.Publish(table, ownerLifetime);
        }
        catch
        {
            if (persistence is not null) persistence.Abandon();
            else
            {
                wal?.Close();
                remote?.Dispose();
                ownership.Dispose();
            }
            throw;
        }
    }

    /// <summary>A change count no table has: the file reflects nothing the table holds.</summary>
    private const long NotSaved = -1;

    /// <summary>Refuses, before anything is read or made, a table whose header would not fit in its own file.</summary>
    private static void CheckHeaderFits<TKey, TObject>(string path, string name, string keyText, PersistentTableOptions options, IObjectCodec<TObject> codec)
    {
        var header = new SnapshotHeader(SnapshotFormat.Version, name, options.Table.Type, keyText, Snapshot.TypeName(typeof(TKey)),
            Snapshot.TypeName(typeof(TObject)), options.Table.Protection, options.Table.NamedTable, codec.Id, DateTimeOffset.UtcNow,
            options.EffectiveWrite.Compress, options.EffectiveWrite.Checksums) { LogSegment = long.MaxValue, Schema = codec.Schema, SchemaVersion = options.SchemaVersion };
        var bytes = HeaderCodec.Encode(header).Length;
        if (bytes > SnapshotFormat.MaxHeaderBytes)
            throw new SnapshotFileException(path, $"its header (table name, key '{Abbreviate(keyText)}', types and the stored type's schema) encodes to {bytes} bytes, " +
                $"more than a snapshot header holds ({SnapshotFormat.MaxHeaderBytes}); shorten the key selector or type names");
    }

    private static string Abbreviate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>The snapshot being loaded: its stream and reader, or null when there is no file yet.</summary>
    private sealed class SnapshotSource(Stream stream, SnapshotReader reader) : IDisposable
    {
        public SnapshotReader Reader => reader;

        public static SnapshotSource? Open(IFileSystem fs, string path)
        {
            if (!fs.Exists(path)) return null;
            var stream = Snapshot.OpenForRead(fs, path);
            return new SnapshotSource(stream, new SnapshotReader(stream, path));
        }

        public void Dispose() => stream.Dispose();
    }
}
