using System.Linq.Expressions;
using PersistentEts.Persistence;
using PersistentEts.Persistence.IO;

namespace PersistentEts;

/// <summary>
/// The seed's <c>PersistentEts.new/3</c>: an ETS table kept in memory and saved to a file in the
/// background. (In C# a type cannot share its namespace's name, hence <c>PersistentTable.New</c>.)
/// </summary>
public static class PersistentTable
{
    /// <summary>
    /// Opens the table saved at <paramref name="path"/>, or creates an empty one if there is no file.
    /// The result is an ordinary owner handle — every ETS operation works — whose
    /// <see cref="EtsTable{TKey, TObject}.Persistence"/> saves it every <see cref="PersistentTableOptions.PersistEvery"/>
    /// when it changed, on <c>Flush</c>, on <see cref="EtsTable{TKey, TObject}.DeleteTable"/>, when the owner ends
    /// (dispose, lifetime token, or hand-over to nobody) and when the process exits gracefully.
    /// </summary>
    /// <exception cref="SnapshotFileException">The file exists but is damaged, foreign, truncated or unreadable.</exception>
    /// <exception cref="SnapshotMismatchException">The file holds a table of another type, key, stored type or codec.</exception>
    public static EtsTable<TKey, TObject> New<TKey, TObject>(string name, string path, Expression<Func<TObject, TKey>> key,
        PersistentTableOptions? options = null, IObjectCodec<TObject>? codec = null, IComparer<TKey>? keyComparer = null,
        IEqualityComparer<TKey>? keyEquality = null, CancellationToken ownerLifetime = default) where TKey : notnull
    {
        if (key is null) Throw.Argument(nameof(key), "A table needs a key selector.");
        return Open(name, path, key.Compile(), key.ToString(), options ?? PersistentTableOptions.Default,
            codec ?? MessagePackObjectCodec<TObject>.Instance, keyComparer, keyEquality, ownerLifetime, PhysicalFileSystem.Instance);
    }

    internal static EtsTable<TKey, TObject> Open<TKey, TObject>(string name, string path, Func<TObject, TKey> keyOf, string keyText,
        PersistentTableOptions options, IObjectCodec<TObject> codec, IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality,
        CancellationToken ownerLifetime, IFileSystem fs) where TKey : notnull
    {
        Ets.ValidateName(name, nameof(name));
        if (string.IsNullOrWhiteSpace(path)) Throw.Argument(nameof(path), "A file path may not be null or blank.");
        options.Validate();
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!fs.DirectoryExists(dir)) throw new SnapshotFileException(full, $"the directory '{dir}' does not exist");
        Stream? stream = null;
        Persistence.Format.SnapshotReader? reader = null;
        var capacity = 0;
        long logFrom = 0;
        if (fs.Exists(full))
        {
            stream = Snapshot.OpenForRead(fs, full);
            reader = new Persistence.Format.SnapshotReader(stream, full);
        }
        EtsTable<TKey, TObject>? table = null;
        Persistence.Log.WriteAheadLog<TObject>? wal = null;
        var logger = options.Logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        try
        {
            if (reader is not null)
            {
                var header = reader.ReadHeader();
                Snapshot.CheckCompatible(full, header, options.Table.Type, keyText, typeof(TKey), typeof(TObject), codec.Id);
                capacity = reader.PeekObjectCount();
                logFrom = header.LogSegment;
            }
            table = Ets.Create(name, keyOf, keyText, options.Table, keyComparer, keyEquality, null, default, capacity);
            if (reader is not null) Snapshot.LoadInto(reader, table.Core, codec, options.VerifyOnLoad, full);
            stream?.Dispose();
            stream = null;

            // Whatever the mode now, changes logged after the snapshot are replayed, so switching a table
            // from Log to Snapshot durability loses nothing. Saved state is "before the replay", so the
            // first periodic save folds the replayed changes into a snapshot and retires the segments.
            var savedChanges = table.Core.ChangeCount;
            var replay = Persistence.Log.LogRecovery.Replay(fs, full, logFrom, table.Core, codec, logger);
            if (reader is not null || replay.Records > 0)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger,
                    "Recovered table {Table} from {Path}: {Objects} objects, {Records} log records replayed", name, full, table.Core.Count, replay.Records);
            }
            if (options.Durability == DurabilityMode.Log)
            {
                wal = new Persistence.Log.WriteAheadLog<TObject>(name, full, Math.Max(Math.Max(logFrom, replay.LastSeq + 1), 1),
                    codec, options.LogSync, options.LogSyncInterval, fs, logger);
                table.Core.ChangeLog = wal;
            }
            table.Core.Persistence = new TablePersistenceOf<TKey, TObject>(table.Core, full, options, codec, fs,
                replay.Records > 0 ? savedChanges : table.Core.ChangeCount, wal);
            if (options.Durability == DurabilityMode.Snapshot && Persistence.Log.LogFormat.FindSegments(fs, full).Count > 0)
            {
                // Left over from Log durability: fold into a snapshot now, then the segments can go.
                table.Core.Persistence.Flush();
                foreach (var (_, segment) in Persistence.Log.LogFormat.FindSegments(fs, full)) fs.Delete(segment);
            }
        }
        catch
        {
            if (table is not null)
            {
                table.Core.ChangeLog = null;
                table.Core.Persistence?.SaveAndStop(rethrow: false, save: false);
                table.Core.Persistence = null;
                table.DeleteTable();
            }
            wal?.Dispose();
            throw;
        }
        finally
        {
            stream?.Dispose();
        }
        table.BindLifetime(ownerLifetime);
        return table;
    }
}
