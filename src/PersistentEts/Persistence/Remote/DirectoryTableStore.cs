using System.Globalization;
using System.Text.Json;

namespace PersistentEts.Persistence.Remote;

/// <summary>
/// A table's remote state in a directory: another disk, or a volume mounted from elsewhere, with the same
/// layout as the blob store (<c>manifest.json</c>, <c>snapshots/GENERATION.pets</c>, <c>log/SEQ.log</c>)
/// plus <c>lease.json</c>. For a second copy on a disk that outlives the table's own, and for tests without
/// a cloud service.
/// </summary>
/// <remarks>
/// Every change that must be fenced (the manifest, the log) is made under an exclusive lock of
/// <c>store.lock</c>, after checking that the lease in <c>lease.json</c> is still the caller's: an owner
/// whose lease lapsed and was taken can no longer change the table. Leases expire by the wall clock, so
/// machines sharing the directory need synchronized clocks, and the file system must honour exclusive
/// file locks across them.
/// </remarks>
public sealed class DirectoryTableStore : IRemoteTableStore
{
    private readonly string _root;
    private readonly TimeProvider _clock;

    /// <summary>A store in <paramref name="directory"/> (created when first needed).</summary>
    /// <param name="directory">The store's directory.</param>
    /// <param name="clock">The clock leases expire by (default: the system's).</param>
    public DirectoryTableStore(string directory, TimeProvider? clock = null)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new EtsArgumentException(nameof(directory), "The store's directory may not be blank.");
        _root = Path.GetFullPath(directory);
        _clock = clock ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => _root;

    private string ManifestPath => Path.Combine(_root, "manifest.json");

    private string LeasePath => Path.Combine(_root, "lease.json");

    private string SnapshotPath(long generation) => Path.Combine(_root, "snapshots", generation.ToString("D19", CultureInfo.InvariantCulture) + ".pets");

    private string LogPath(long seq) => Path.Combine(_root, "log", seq.ToString("D19", CultureInfo.InvariantCulture) + ".log");

    /// <inheritdoc />
    public string SnapshotName(long generation) => SnapshotPath(generation);

    /// <inheritdoc />
    public string LogSegmentName(long seq) => LogPath(seq);

    /// <inheritdoc />
    public Task<RemoteLease> AcquireLeaseAsync(string holder, TimeSpan duration, CancellationToken cancellationToken) => Locked(LeasePath, () =>
    {
        if (ReadLease() is { } current && current.Expires > _clock.GetUtcNow())
            throw new RemoteTableOwnedException(LeasePath, current.Holder);
        var lease = new RemoteLease(Guid.NewGuid().ToString(), holder, duration);
        WriteJson(LeasePath, new LeaseDocument(lease.Id, holder, _clock.GetUtcNow() + duration));
        return lease;
    });

    /// <inheritdoc />
    public Task RenewLeaseAsync(RemoteLease lease, CancellationToken cancellationToken) => Locked(LeasePath, () =>
    {
        RequireLease(lease, LeasePath, allowLapsed: true);
        WriteJson(LeasePath, new LeaseDocument(lease.Id, lease.Holder, _clock.GetUtcNow() + lease.Duration));
        return 0;
    });

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(RemoteLease lease, CancellationToken cancellationToken) => Locked(LeasePath, () =>
    {
        if (ReadLease()?.Id == lease.Id) File.Delete(LeasePath);
        return 0;
    });

    /// <inheritdoc />
    public Task<RemoteManifest> ReadManifestAsync(CancellationToken cancellationToken) => Locked(ManifestPath, ReadManifest);

    /// <inheritdoc />
    public Task<RemoteManifest> WriteManifestAsync(RemoteManifest manifest, string? expectedVersion, RemoteLease lease, CancellationToken cancellationToken) =>
        Locked(ManifestPath, () =>
        {
            RequireLease(lease, ManifestPath, allowLapsed: false);
            var current = ReadManifest();
            if (expectedVersion is not null && current.Version != expectedVersion)
                throw new RemoteLeaseLostException(ManifestPath, $"the manifest changed under {lease.Holder} (version {current.Version}, expected {expectedVersion}); another owner has the table");
            var version = (long.Parse(current.Version ?? "0", CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            WriteJson(ManifestPath, new ManifestDocument(manifest.Generation, [.. manifest.Kept], manifest.Holder, manifest.WrittenAt, manifest.Owner, manifest.LogSegment, version));
            return manifest with { Version = version };
        });

    /// <inheritdoc />
    public Task UploadSnapshotAsync(long generation, Stream content, CancellationToken cancellationToken) => Guarded(SnapshotPath(generation), async () =>
    {
        var target = SnapshotPath(generation);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + ".tmp" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            // A generation is written once: moving onto an existing one fails.
            File.Move(temp, target, overwrite: false);
            SyncDirectory(Path.GetDirectoryName(target)!);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return 0;
    });

    /// <inheritdoc />
    public Task<Stream> OpenSnapshotAsync(long generation, CancellationToken cancellationToken) => OpenRead(SnapshotPath(generation), "snapshot generation");

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListSnapshotsAsync(CancellationToken cancellationToken) => Task.FromResult(Numbered("snapshots", ".pets"));

    /// <inheritdoc />
    public Task DeleteSnapshotAsync(long generation, CancellationToken cancellationToken) => Guarded(SnapshotPath(generation), () =>
    {
        File.Delete(SnapshotPath(generation));
        return Task.FromResult(0);
    });

    /// <inheritdoc />
    public Task CreateLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken) => Locked(LogPath(seq), () =>
    {
        RequireLease(lease, LogPath(seq), allowLapsed: false);
        CreateEmptyLog(seq);
        return 0;
    });

    /// <summary>Creates log segment <paramref name="seq"/> empty, durably; fails if it exists. The caller holds the store's lock.</summary>
    private void CreateEmptyLog(long seq)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath(seq))!);
        using (new FileStream(LogPath(seq), FileMode.CreateNew, FileAccess.Write)) { }
        SyncDirectory(Path.GetDirectoryName(LogPath(seq))!);
    }

    /// <inheritdoc />
    public Task ResumeLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken) => Locked(LogPath(seq), () =>
    {
        RequireLease(lease, LogPath(seq), allowLapsed: false);
        if (!File.Exists(LogPath(seq))) CreateEmptyLog(seq);
        return 0;
    });

    /// <inheritdoc />
    public Task<long?> LogSegmentLengthAsync(long seq, CancellationToken cancellationToken) => Locked(LogPath(seq), () =>
    {
        var file = new FileInfo(LogPath(seq));
        return file.Exists ? file.Length : (long?)null;
    });

    /// <inheritdoc />
    public Task AppendLogAsync(long seq, long expectedLength, ReadOnlyMemory<byte> bytes, RemoteLease lease, CancellationToken cancellationToken) =>
        Locked(LogPath(seq), () =>
        {
            RequireLease(lease, LogPath(seq), allowLapsed: false);
            using var file = new FileStream(LogPath(seq), FileMode.Open, FileAccess.Write);
            if (file.Length != expectedLength)
                throw new RemoteStoreException(LogPath(seq), $"the segment is {file.Length} bytes, not the {expectedLength} this append continues");
            file.Seek(0, SeekOrigin.End);
            file.Write(bytes.Span);
            file.Flush(flushToDisk: true);
            return 0;
        });

    /// <inheritdoc />
    /// <remarks>Nothing to do here: every append checks, under the store's lock, that the table's lease is the appender's.</remarks>
    public Task FenceLogAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListLogSegmentsAsync(CancellationToken cancellationToken) => Task.FromResult(Numbered("log", ".log"));

    /// <inheritdoc />
    public Task<Stream> OpenLogSegmentAsync(long seq, CancellationToken cancellationToken) => OpenRead(LogPath(seq), "log segment");

    /// <inheritdoc />
    /// <remarks>Under the store's lock, which appends hold too, so a read never sees half of one.</remarks>
    public Task<byte[]?> ReadLogAsync(long seq, long offset, int maxBytes, CancellationToken cancellationToken) => Locked(LogPath(seq), () =>
    {
        var path = LogPath(seq);
        if (!File.Exists(path)) return null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset >= file.Length) return [];
        var bytes = new byte[(int)Math.Min(maxBytes, file.Length - offset)];
        file.Position = offset;
        file.ReadExactly(bytes);
        return (byte[]?)bytes;
    });

    /// <inheritdoc />
    public Task DeleteLogSegmentAsync(long seq, CancellationToken cancellationToken) => Locked(LogPath(seq), () =>
    {
        File.Delete(LogPath(seq));
        return 0;
    });

    private void RequireLease(RemoteLease lease, string objectName, bool allowLapsed)
    {
        var current = ReadLease();
        if (current is null || current.Id != lease.Id)
            throw new RemoteLeaseLostException(objectName, $"the lease of {lease.Holder} is gone{(current is null ? "" : $"; {current.Holder} holds the table")}");
        // A lapsed lease nobody took may be renewed (as a blob lease may), but it no longer lets its holder write.
        if (!allowLapsed && current.Expires <= _clock.GetUtcNow())
            throw new RemoteLeaseLostException(objectName, $"the lease of {lease.Holder} lapsed at {current.Expires:O}");
    }

    private LeaseDocument? ReadLease() => File.Exists(LeasePath) ? JsonSerializer.Deserialize<LeaseDocument>(File.ReadAllBytes(LeasePath)) : null;

    private RemoteManifest ReadManifest()
    {
        if (!File.Exists(ManifestPath)) return RemoteManifest.Empty;
        var d = JsonSerializer.Deserialize<ManifestDocument>(File.ReadAllBytes(ManifestPath))
            ?? throw new RemoteStoreException(ManifestPath, "the manifest is empty");
        return new RemoteManifest(d.Generation, d.Kept ?? [], d.Holder ?? "", d.WrittenAt) { Owner = d.Owner, LogSegment = d.LogSegment, Version = d.Version };
    }

    /// <summary>Replaces a small file whole and durably (temporary file, fsync, rename, directory fsync).</summary>
    private static void WriteJson<T>(string path, T value)
    {
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(JsonSerializer.SerializeToUtf8Bytes(value));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    private static void SyncDirectory(string directory) => IO.PhysicalFileSystem.Instance.SyncDirectory(directory);

    private IReadOnlyList<long> Numbered(string folder, string extension)
    {
        var dir = Path.Combine(_root, folder);
        if (!Directory.Exists(dir)) return [];
        var numbers = new List<long>();
        foreach (var file in Directory.EnumerateFiles(dir, "*" + extension))
        {
            if (long.TryParse(Path.GetFileName(file)[..^extension.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) numbers.Add(n);
        }
        numbers.Sort();
        return numbers;
    }

    private static Task<Stream> OpenRead(string path, string what) => Guarded(path, () =>
    {
        if (!File.Exists(path)) throw new RemoteStoreException(path, $"there is no such {what}");
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
    });

    /// <summary>Runs <paramref name="body"/> holding the store's lock, which every fenced change takes; waits for it up to 10 s.</summary>
    private Task<T> Locked<T>(string objectName, Func<T> body) => Guarded(objectName, () =>
    {
        Directory.CreateDirectory(_root);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            FileStream held;
            try
            {
                held = new FileStream(Path.Combine(_root, "store.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(2);
                continue;
            }
            using (held) return Task.FromResult(body());
        }
    });

    private static async Task<T> Guarded<T>(string objectName, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new RemoteStoreException(objectName, $"the store's file system failed ({e.Message})", e);
        }
    }

    private sealed record LeaseDocument(string Id, string Holder, DateTimeOffset Expires);

    private sealed record ManifestDocument(long Generation, long[]? Kept, string? Holder, DateTimeOffset WrittenAt, string? Owner, long LogSegment, string? Version);
}
