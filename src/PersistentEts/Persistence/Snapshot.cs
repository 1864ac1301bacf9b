using System.Diagnostics;
using System.Linq.Expressions;
using PersistentEts.Persistence.Format;
using PersistentEts.Persistence.IO;
using PersistentEts.Tables;

namespace PersistentEts.Persistence;

/// <summary>
/// Saving, loading and inspecting snapshot files: the counterparts of <c>ets:tab2file</c>,
/// <c>ets:file2tab</c> and <c>ets:tabfile_info</c>.
/// </summary>
public static class Snapshot
{
    /// <summary>
    /// ETS <c>tab2file/3</c>: saves the table as of one instant, crash-atomically. Writers keep running;
    /// they wait only while the instant is fixed.
    /// </summary>
    public static SnapshotResult Save<TKey, TObject>(IReadOnlyEtsTable<TKey, TObject> table, string path,
        SnapshotWriteOptions? options = null, IObjectCodec<TObject>? codec = null) where TKey : notnull =>
        SyncOrAsync.Completed(SaveTableAsync(table, path, options, codec, async: false, CancellationToken.None));

    /// <summary>
    /// As <see cref="Save{TKey, TObject}(IReadOnlyEtsTable{TKey, TObject}, string, SnapshotWriteOptions?, IObjectCodec{TObject}?)"/>,
    /// with the file written by asynchronous I/O. Cancelling stops the save and leaves the previous file unchanged.
    /// </summary>
    public static Task<SnapshotResult> SaveAsync<TKey, TObject>(IReadOnlyEtsTable<TKey, TObject> table, string path,
        SnapshotWriteOptions? options = null, IObjectCodec<TObject>? codec = null, CancellationToken cancellationToken = default)
        where TKey : notnull => SaveTableAsync(table, path, options, codec, async: true, cancellationToken).AsTask();

    private static async ValueTask<SnapshotResult> SaveTableAsync<TKey, TObject>(IReadOnlyEtsTable<TKey, TObject> table, string path,
        SnapshotWriteOptions? options, IObjectCodec<TObject>? codec, bool async, CancellationToken cancellationToken) where TKey : notnull
    {
        if (table is not EtsTable<TKey, TObject> handle) throw new EtsArgumentException(nameof(table), "Only tables made by Ets.New can be saved.");
        handle.Info(); // access check: a private table's non-owner cannot read it, so cannot save it
        var fs = PhysicalFileSystem.Instance;
        var canonical = fs.Canonical(TableFiles.CheckPath(fs, path));
        // The file is written as its owner would write it: refused while a persistent table owns it.
        using var ownership = TableFileOwnership.Acquire(fs, canonical, handle.Name);
        // Without options, a table made with Compressed (ETS compressed) is saved compressed.
        options ??= handle.Core.Options.Compressed ? SnapshotWriteOptions.Default with { Compress = true } : SnapshotWriteOptions.Default;
        return await SaveCoreAsync(handle.Core, canonical, options, codec ?? MessagePackObjectCodec<TObject>.Instance, fs,
            async: async, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves <paramref name="core"/> to <paramref name="path"/> on the calling thread.</summary>
    internal static SnapshotResult Save<TKey, TObject>(TableCore<TKey, TObject> core, string path, SnapshotWriteOptions options,
        IObjectCodec<TObject> codec, IFileSystem fs, Log.WriteAheadLog<TObject>? log = null, int schemaVersion = 0) where TKey : notnull =>
        SyncOrAsync.Completed(SaveCoreAsync(core, path, options, codec, fs, log, schemaVersion));

    /// <summary>
    /// Saves <paramref name="core"/> to <paramref name="path"/>. With <paramref name="async"/> the file is
    /// written by awaited I/O and the call frees its thread while it waits; without it, it blocks and has
    /// completed when it returns (see <see cref="SyncOrAsync"/>). Both run this one code.
    /// </summary>
    internal static async ValueTask<SnapshotResult> SaveCoreAsync<TKey, TObject>(TableCore<TKey, TObject> core, string path,
        SnapshotWriteOptions options, IObjectCodec<TObject> codec, IFileSystem fs, Log.WriteAheadLog<TObject>? log = null, int schemaVersion = 0,
        bool async = false, CancellationToken cancellationToken = default)
        where TKey : notnull
    {
        options.Validate();
        core.EnsureAlive();
        cancellationToken.ThrowIfCancellationRequested();
        var stopwatch = Stopwatch.StartNew();
        // With a log, the snapshot's instant starts a new segment: changes before it are in the snapshot.
        ISnapshotView<TObject> begun;
        try
        {
            begun = core.BeginSnapshot(log is null ? null : log.Rotate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LogWriteException(Log.LogFormat.SegmentPath(Path.GetFullPath(path), log!.CurrentSeq + 1),
                $"a new log segment could not be started ({e.Message}); the snapshot was not saved and the last good file is unchanged", e);
        }
        using var view = begun;
        var header = HeaderFor(core, codec, options) with { LogSegment = view.AtInstant, SchemaVersion = schemaVersion };
        long objects = 0;
        var full = Path.GetFullPath(path);
        var bytes = await AtomicFileWriter.ReplaceAsync(fs, path, options.Sync, options.KeepPrevious, async stream =>
        {
            var writer = new SnapshotWriter(stream, options.Checksums, options.Compress);
            await writer.WriteHeaderAsync(header, async, cancellationToken).ConfigureAwait(false);
            var write = ObjectWriting.For(codec);
            using var encoder = new BlockEncoder<TObject>(view,
                (buffer, objects, stopAt) => Encode(codec, write, buffer, objects, stopAt, full), EncodeThreads(core, codec, options),
                codec.IsThreadSafe, options.Checksums, options.Compress);
            while (await encoder.NextAsync(async, cancellationToken).ConfigureAwait(false) is { } chunk)
            {
                foreach (var block in chunk.Blocks)
                    await writer.WriteBlockAsync(chunk.Stored(block), block, async, cancellationToken).ConfigureAwait(false);
                encoder.Return(chunk);
            }
            await encoder.CompleteAsync(async).ConfigureAwait(false);
            await writer.WriteTrailerAsync(async, cancellationToken).ConfigureAwait(false);
            objects = writer.Objects;
        }, async, cancellationToken).ConfigureAwait(false);
        // Only now, with the snapshot durable, may the segments it covers go.
        log?.DropBefore(view.AtInstant);
        return new SnapshotResult(full, objects, bytes, stopwatch.Elapsed, view.Pause) { ChangeCount = view.ChangeCount };
    }

    /// <summary>
    /// Threads that encode a save: one for a codec that is not thread-safe; the option's number when it is
    /// set; by default one per 64 Ki objects up to one per core (at most 4), since starting threads costs
    /// more than a small table's encoding saves.
    /// </summary>
    private static int EncodeThreads<TKey, TObject>(TableCore<TKey, TObject> core, IObjectCodec<TObject> codec, SnapshotWriteOptions options)
        where TKey : notnull =>
        !codec.IsThreadSafe ? 1
        : options.EncodeThreads ?? (int)Math.Min(options.ResolveEncodeThreads(), 1 + core.Count / 65_536);

    private static int Encode<TObject>(IObjectCodec<TObject> codec, WriteObjects<TObject> write, PooledBufferWriter buffer,
        ReadOnlySpan<TObject> objects, int stopAtBytes, string path)
    {
        try
        {
            return write(buffer, objects, stopAtBytes);
        }
        catch (Exception e) when (e is not EtsException and not IOException and not OutOfMemoryException)
        {
            throw new SnapshotFileException(path,
                $"an object of type {typeof(TObject).Name} cannot be encoded by codec '{codec.Id}' ({e.Message}); the previous file is unchanged", null, e);
        }
    }

    internal static SnapshotHeader HeaderFor<TKey, TObject>(TableCore<TKey, TObject> core, IObjectCodec<TObject> codec, SnapshotWriteOptions options)
        where TKey : notnull => new(SnapshotFormat.Version, core.Name, core.Type, core.KeyDescription, TypeName(typeof(TKey)),
            TypeName(typeof(TObject)), core.Options.Protection, core.Options.NamedTable, codec.Id, DateTimeOffset.UtcNow,
            options.Compress, options.Checksums) { Schema = codec.Schema };

    /// <summary>A type's name as recorded in files: namespace-qualified, generic arguments spelled out, no assembly versions.</summary>
    internal static string TypeName(Type t)
    {
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[]";
        if (!t.IsGenericType) return t.FullName ?? t.Name;
        var definition = t.GetGenericTypeDefinition().FullName ?? t.Name;
        var tick = definition.IndexOf('`', StringComparison.Ordinal);
        var name = tick < 0 ? definition : definition[..tick];
        return $"{name}<{string.Join(",", t.GetGenericArguments().Select(TypeName))}>";
    }

    /// <summary>
    /// ETS <c>file2tab/2</c>: creates a table from a snapshot. The table takes its type, protection and
    /// name registration from the file unless <paramref name="options"/> says otherwise; a file whose type,
    /// key or stored type differs from what is asked is refused with <see cref="SnapshotMismatchException"/>.
    /// </summary>
    public static EtsTable<TKey, TObject> Load<TKey, TObject>(string path, Expression<Func<TObject, TKey>> key,
        TableOptions? options = null, SnapshotReadOptions? readOptions = null, IObjectCodec<TObject>? codec = null,
        IComparer<TKey>? keyComparer = null, IEqualityComparer<TKey>? keyEquality = null, CancellationToken ownerLifetime = default)
        where TKey : notnull
    {
        if (key is null) Throw.Argument(nameof(key), "A table needs a key selector.");
        CheckPath(path);
        codec ??= MessagePackObjectCodec<TObject>.Instance;
        var fs = PhysicalFileSystem.Instance;
        using var stream = OpenForRead(fs, path);
        var snapshot = new SnapshotReader(stream, Path.GetFullPath(path));
        var header = snapshot.ReadHeader();
        var tableOptions = options ?? new TableOptions { Type = header.Type, Protection = header.Protection, NamedTable = header.NamedTable };
        var keyText = key.ToString();
        CheckCompatible(Path.GetFullPath(path), header, tableOptions.Type, keyText, typeof(TKey), typeof(TObject), codec.Id);
        // file2tab knows no application version: the file's own, so only the shapes are compared.
        var reader = new Schema.SchemaReading<TObject>(codec, header.SchemaVersion, [], []).ReaderFor(Path.GetFullPath(path), header.Schema, header.SchemaVersion);
        // Filled before it is published: nobody sees the table until it is whole, and a failed load leaves none.
        var table = Ets.Build(header.Name, key.Compile(), keyText, tableOptions, keyComparer, keyEquality, null,
            Tables.TableWiring<TKey, TObject>.None, snapshot.PeekObjectCount());
        LoadInto(snapshot, table.Core, reader, (readOptions ?? SnapshotReadOptions.Default).Verify, Path.GetFullPath(path));
        return Ets.Publish(table, ownerLifetime);
    }

    /// <summary>Fills a table that is not visible to anyone yet; on any failure it is never published, so nothing is ever loaded in part.</summary>
    internal static void LoadInto<TKey, TObject>(SnapshotReader reader, TableCore<TKey, TObject> core, IObjectCodec<TObject> codec, bool verify, string path)
        where TKey : notnull => SnapshotLoading<TKey, TObject>.Run(reader, core, codec, verify, path);

    internal static Stream OpenForRead(IFileSystem fs, string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return fs.OpenRead(full);
        }
        catch (FileNotFoundException e)
        {
            throw new SnapshotFileException(full, "the file does not exist", null, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new SnapshotFileException(full, "the directory does not exist", null, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SnapshotFileException(full, "permission denied", null, e);
        }
        catch (IOException e)
        {
            throw new SnapshotFileException(full, $"the file cannot be opened ({e.Message})", null, e);
        }
    }

    /// <summary>Refuses a file whose semantic options differ, naming the option and both values.</summary>
    internal static void CheckCompatible(string path, SnapshotHeader header, TableType type, string key, Type keyType, Type objectType, string codec) =>
        CheckCompatible(path, header.Type.ToEtsName(), header.Key, header.KeyType, header.ObjectType, header.Codec, type, key, keyType, objectType, codec);

    /// <summary>
    /// Refuses a file (a snapshot or a log segment) whose recorded semantic options differ from the table's,
    /// naming the option and both values; a value the file did not record (null) is not compared.
    /// </summary>
    internal static void CheckCompatible(string path, string? recordedType, string? recordedKey, string? recordedKeyType, string? recordedObjectType,
        string? recordedCodec, TableType type, string key, Type keyType, Type objectType, string codec)
    {
        if (recordedType is not null && recordedType != type.ToEtsName()) throw new SnapshotMismatchException(path, "type", recordedType, type.ToEtsName());
        if (recordedKeyType is not null && recordedKeyType != TypeName(keyType)) throw new SnapshotMismatchException(path, "key type", recordedKeyType, TypeName(keyType));
        // By structure: renaming the selector's parameter (r => r.Id to x => x.Id) is not a change of key.
        if (recordedKey is not null && !KeyIdentity.Same(recordedKey, key)) throw new SnapshotMismatchException(path, "key", recordedKey, key);
        if (recordedObjectType is not null && recordedObjectType != TypeName(objectType))
            throw new SnapshotMismatchException(path, "stored type", recordedObjectType, TypeName(objectType));
        if (recordedCodec is not null && recordedCodec != codec) throw new SnapshotMismatchException(path, "codec", recordedCodec, codec);
    }

    /// <summary>
    /// ETS <c>tabfile_info/1</c>: the header and counts of a snapshot, without loading its objects. The
    /// header and trailer checksums are checked; use <see cref="Verify"/> to check every block.
    /// </summary>
    public static SnapshotInfo ReadInfo(string path)
    {
        CheckPath(path);
        var full = Path.GetFullPath(path);
        using var stream = OpenForRead(PhysicalFileSystem.Instance, full);
        var reader = new SnapshotReader(stream, full);
        var header = reader.ReadHeader();
        var (objects, blocks) = reader.ReadTrailerOnly();
        return new SnapshotInfo(full, header, objects, blocks, stream.Length);
    }

    /// <summary>
    /// Checks a whole snapshot — structure, every checksum, every object decodable as raw MessagePack —
    /// without the application's types. Throws <see cref="SnapshotFileException"/> naming the problem.
    /// </summary>
    internal static SnapshotInfo Verify(string path, IProgress<long>? progress = null)
    {
        CheckPath(path);
        var full = Path.GetFullPath(path);
        using var file = OpenForRead(PhysicalFileSystem.Instance, full);
        using var stream = progress is null ? file : new ProgressStream(file, progress);
        var reader = new SnapshotReader(stream, full);
        var header = reader.ReadHeader();
        var objects = reader.ReadObjects(RawMessagePackCodec.Instance, verify: true, static _ => { });
        return new SnapshotInfo(full, header, objects, reader.BlocksRead, stream.Length);
    }

    /// <summary>
    /// Reads a snapshot's objects as raw MessagePack values, without the application's types (for tools
    /// such as <c>pets dump</c>). <paramref name="onObject"/> returns false to stop early. Everything read is
    /// checked as in <see cref="Verify"/>; <paramref name="progress"/> receives bytes read so far.
    /// </summary>
    internal static SnapshotHeader ReadRawObjects(string path, Func<ReadOnlyMemory<byte>, bool> onObject, IProgress<long>? progress = null)
    {
        CheckPath(path);
        if (onObject is null) Throw.Argument(nameof(onObject), "A callback is required.");
        var full = Path.GetFullPath(path);
        using var file = OpenForRead(PhysicalFileSystem.Instance, full);
        using var stream = progress is null ? file : new ProgressStream(file, progress);
        var reader = new SnapshotReader(stream, full);
        var header = reader.ReadHeader();
        try
        {
            reader.ReadObjects(RawMessagePackCodec.Instance, verify: true, o =>
            {
                if (!onObject(o)) throw new StopReading();
            });
        }
        catch (StopReading)
        {
            // The caller had enough.
        }
        return header;
    }

    private sealed class StopReading : Exception;

    private static void CheckPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) Throw.Argument(nameof(path), "A file path may not be null or blank.");
    }
}
