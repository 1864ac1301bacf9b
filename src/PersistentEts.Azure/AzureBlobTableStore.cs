using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Azure;

/// <summary>
/// One table's remote state in an Azure Blob Storage container, under a prefix of its own:
/// <c>PREFIX/manifest.json</c> (the manifest, which also carries the table's lease),
/// <c>PREFIX/snapshots/GENERATION.pets</c> (immutable snapshot generations) and
/// <c>PREFIX/log/SEQ.log</c> (append blobs, byte for byte the local log segments).
/// </summary>
/// <remarks>
/// The lease is a blob lease on the manifest blob. Because the manifest is leased, the service itself
/// refuses any write to it that does not carry the current lease: an owner whose lease lapsed and was
/// taken over cannot advance the table any more (fencing), whatever its clock says. Snapshot uploads are
/// conditional on the generation not existing, with each part's MD5 checked by the service. Transient
/// failures are retried by the client's own retry policy (configure it on the
/// <see cref="BlobContainerClient"/>); what still fails becomes a <see cref="RemoteStoreException"/> naming
/// the blob.
/// </remarks>
public sealed class AzureBlobTableStore : IRemoteTableStore
{
    private const string HolderMetadata = "holder";
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <summary>A store for the table kept under <paramref name="prefix"/> in <paramref name="container"/> (created if missing).</summary>
    /// <param name="container">The container, with the credentials and retry policy to use.</param>
    /// <param name="prefix">The table's folder in the container, e.g. its name: letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>/</c>.</param>
    public AzureBlobTableStore(BlobContainerClient container, string prefix)
    {
        ArgumentNullException.ThrowIfNull(container);
        if (string.IsNullOrWhiteSpace(prefix) || prefix.Length > 512 || prefix.StartsWith('/') || prefix.EndsWith('/')
            || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
            throw new EtsArgumentException(nameof(prefix), $"The table's prefix '{prefix}' must be 1 to 512 letters, digits, '-', '_', '.' or inner '/'.");
        _container = container;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public string Name => $"{_container.Uri.GetLeftPart(UriPartial.Path)}/{_prefix}";

    private string ManifestBlob => $"{_prefix}/manifest.json";

    private string SnapshotBlob(long generation) => $"{_prefix}/snapshots/{generation.ToString("D19", CultureInfo.InvariantCulture)}.pets";

    /// <inheritdoc />
    public string SnapshotName(long generation) => $"{_container.Name}/{SnapshotBlob(generation)}";

    private string ManifestName => $"{_container.Name}/{ManifestBlob}";

    private string LogBlob(long seq) => $"{_prefix}/log/{seq.ToString("D19", CultureInfo.InvariantCulture)}.log";

    /// <inheritdoc />
    public string LogSegmentName(long seq) => $"{_container.Name}/{LogBlob(seq)}";

    /// <inheritdoc />
    public async Task<RemoteLease> AcquireLeaseAsync(string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var manifest = _container.GetBlobClient(ManifestBlob);
        var id = Guid.NewGuid().ToString();
        await Guard(ManifestName, "taking the lease", async () =>
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                // The manifest must exist to be leased; a table that has none yet gets the empty one.
                await manifest.UploadAsync(Serialize(RemoteManifest.Empty), new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // It exists (and may be leased): taking the lease says whose it is.
            }
            try
            {
                await manifest.GetBlobLeaseClient(id).AcquireAsync(duration, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                var properties = await manifest.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var current = properties.Value.Metadata.TryGetValue(HolderMetadata, out var h) ? Uri.UnescapeDataString(h) : "another owner";
                throw new RemoteTableOwnedException(ManifestName, current, e);
            }
            await manifest.SetMetadataAsync(HolderMetadataOf(holder), new BlobRequestConditions { LeaseId = id }, cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        return new RemoteLease(id, holder, duration);
    }

    /// <inheritdoc />
    public Task RenewLeaseAsync(RemoteLease lease, CancellationToken cancellationToken) =>
        Guard(ManifestName, "renewing the lease", async () =>
        {
            try
            {
                await _container.GetBlobClient(ManifestBlob).GetBlobLeaseClient(lease.Id).RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                throw new RemoteLeaseLostException(ManifestName, $"the lease of {lease.Holder} could not be renewed: another owner has taken it ({e.ErrorCode})", e);
            }
            return 0;
        });

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(RemoteLease lease, CancellationToken cancellationToken) =>
        Guard(ManifestName, "releasing the lease", async () =>
        {
            try
            {
                await _container.GetBlobClient(ManifestBlob).GetBlobLeaseClient(lease.Id).ReleaseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Already someone else's: nothing of ours to release.
            }
            return 0;
        });

    /// <inheritdoc />
    public Task<RemoteManifest> ReadManifestAsync(CancellationToken cancellationToken) =>
        Guard(ManifestName, "reading the manifest", async () =>
        {
            try
            {
                var content = await _container.GetBlobClient(ManifestBlob).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                return Deserialize(content.Value.Content) with { Version = content.Value.Details.ETag.ToString() };
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return RemoteManifest.Empty;
            }
        });

    /// <inheritdoc />
    public Task<RemoteManifest> WriteManifestAsync(RemoteManifest manifest, string? expectedVersion, RemoteLease lease, CancellationToken cancellationToken) =>
        Guard(ManifestName, "advancing the manifest", async () =>
        {
            var conditions = new BlobRequestConditions { LeaseId = lease.Id };
            if (expectedVersion is not null) conditions.IfMatch = new ETag(expectedVersion);
            try
            {
                var written = await _container.GetBlobClient(ManifestBlob).UploadAsync(Serialize(manifest), new BlobUploadOptions
                {
                    Conditions = conditions,
                    Metadata = HolderMetadataOf(lease.Holder),
                }, cancellationToken).ConfigureAwait(false);
                return manifest with { Version = written.Value.ETag.ToString() };
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                throw new RemoteLeaseLostException(ManifestName,
                    $"the store refused {lease.Holder}'s write: its lease is no longer live or the manifest changed under it ({e.ErrorCode}); another owner has the table", e);
            }
        });

    /// <inheritdoc />
    public Task UploadSnapshotAsync(long generation, Stream content, CancellationToken cancellationToken) =>
        Guard(SnapshotName(generation), "uploading the snapshot", async () =>
        {
            await _container.GetBlobClient(SnapshotBlob(generation)).UploadAsync(content, new BlobUploadOptions
            {
                // A generation is written once: a second upload of the same number is refused, not merged.
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                // Streamed in 4 MiB blocks, each checked by the service against its MD5.
                TransferOptions = new StorageTransferOptions { InitialTransferSize = 4 << 20, MaximumTransferSize = 4 << 20, MaximumConcurrency = 2 },
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
            }, cancellationToken).ConfigureAwait(false);
            return 0;
        });

    /// <inheritdoc />
    public Task<Stream> OpenSnapshotAsync(long generation, CancellationToken cancellationToken) =>
        Guard(SnapshotName(generation), "reading the snapshot", async () =>
        {
            try
            {
                return await _container.GetBlobClient(SnapshotBlob(generation)).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new RemoteStoreException(SnapshotName(generation), "there is no such snapshot generation", e);
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListSnapshotsAsync(CancellationToken cancellationToken) =>
        Guard($"{_container.Name}/{_prefix}/snapshots/", "listing the snapshots", () => ListNumbered($"{_prefix}/snapshots/", ".pets", cancellationToken));

    /// <inheritdoc />
    public Task DeleteSnapshotAsync(long generation, CancellationToken cancellationToken) =>
        Guard(SnapshotName(generation), "deleting the snapshot", async () =>
        {
            await _container.GetBlobClient(SnapshotBlob(generation)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return 0;
        });

    /// <inheritdoc />
    public Task CreateLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "creating the log segment", async () =>
        {
            var blob = _container.GetAppendBlobClient(LogBlob(seq));
            await blob.CreateAsync(new AppendBlobCreateOptions { Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
            // Locked to this owner for as long as the segment lives; the next owner breaks the lock (FenceLogAsync).
            await blob.GetBlobLeaseClient(lease.Id).AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
            return 0;
        });

    /// <inheritdoc />
    public Task ResumeLogSegmentAsync(long seq, RemoteLease lease, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "taking the log segment", async () =>
        {
            var blob = _container.GetAppendBlobClient(LogBlob(seq));
            await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            // Its earlier holder's lock was broken by this owner's fence, so it can be taken again.
            await blob.GetBlobLeaseClient(lease.Id).AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
            return 0;
        });

    /// <inheritdoc />
    public Task<long?> LogSegmentLengthAsync(long seq, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "reading the log segment's length", async () =>
        {
            try
            {
                var properties = await _container.GetBlobClient(LogBlob(seq)).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return (long?)properties.Value.ContentLength;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
        });

    /// <inheritdoc />
    public Task AppendLogAsync(long seq, long expectedLength, ReadOnlyMemory<byte> bytes, RemoteLease lease, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "appending to the log", async () =>
        {
            var blob = _container.GetAppendBlobClient(LogBlob(seq));
            try
            {
                // One append block is at most 4 MiB; a flush of more goes in several, each at its expected offset.
                for (var offset = 0; offset < bytes.Length;)
                {
                    var length = Math.Min(bytes.Length - offset, 4 << 20);
                    using var part = Readable(bytes.Slice(offset, length));
                    await blob.AppendBlockAsync(part, new AppendBlobAppendBlockOptions
                    {
                        Conditions = new AppendBlobRequestConditions { LeaseId = lease.Id, IfAppendPositionEqual = expectedLength + offset },
                        TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                    }, cancellationToken).ConfigureAwait(false);
                    offset += length;
                }
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && e.ErrorCode is not "AppendPositionConditionNotMet")
            {
                throw new RemoteLeaseLostException(LogSegmentName(seq),
                    $"the store refused {lease.Holder}'s append: another owner has the table and took the log ({e.ErrorCode})", e);
            }
            return 0;
        });

    /// <inheritdoc />
    public Task FenceLogAsync(CancellationToken cancellationToken) =>
        Guard($"{_container.Name}/{_prefix}/log/", "fencing the log", async () =>
        {
            foreach (var seq in await ListLogSegmentsAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _container.GetAppendBlobClient(LogBlob(seq)).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException e) when (e.Status is 409 or 404)
                {
                    // Not locked (its owner released it, or it is already broken), or gone.
                }
            }
            return 0;
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListLogSegmentsAsync(CancellationToken cancellationToken) =>
        Guard($"{_container.Name}/{_prefix}/log/", "listing the log", () => ListNumbered($"{_prefix}/log/", ".log", cancellationToken));

    /// <inheritdoc />
    public Task<Stream> OpenLogSegmentAsync(long seq, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "reading the log segment", async () =>
            await _container.GetBlobClient(LogBlob(seq)).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    /// <remarks>One ranged read; an append block is committed whole, so the bytes end at an append's end or at <paramref name="maxBytes"/>.</remarks>
    public Task<byte[]?> ReadLogAsync(long seq, long offset, int maxBytes, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "reading the log segment", async () =>
        {
            try
            {
                var content = await _container.GetBlobClient(LogBlob(seq))
                    .DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(offset, maxBytes) }, cancellationToken).ConfigureAwait(false);
                return content.Value.Content.ToArray();
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
            catch (RequestFailedException e) when (e.Status == 416)
            {
                // The range starts at or past the end: nothing new yet.
                return (byte[]?)[];
            }
        });

    /// <inheritdoc />
    public Task DeleteLogSegmentAsync(long seq, CancellationToken cancellationToken) =>
        Guard(LogSegmentName(seq), "deleting the log segment", async () =>
        {
            // A segment still locked by its owner is deleted by breaking the lock first: it is retired.
            var blob = _container.GetBlobClient(LogBlob(seq));
            try
            {
                await blob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 404)
            {
                // Not locked, or gone.
            }
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return 0;
        });

    private async Task<IReadOnlyList<long>> ListNumbered(string folder, string extension, CancellationToken cancellationToken)
    {
        var numbers = new List<long>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = folder }, cancellationToken).ConfigureAwait(false))
            {
                var name = blob.Name[folder.Length..];
                if (name.EndsWith(extension, StringComparison.Ordinal)
                    && long.TryParse(name[..^extension.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    numbers.Add(n);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No container yet (its first owner creates it): a follower or a listing sees an empty table.
        }
        numbers.Sort();
        return numbers;
    }

    /// <summary>A stream over <paramref name="bytes"/>, without copying them when they are an array's.</summary>
    private static MemoryStream Readable(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static Dictionary<string, string> HolderMetadataOf(string holder) => new() { [HolderMetadata] = Uri.EscapeDataString(holder) };

    private static BinaryData Serialize(RemoteManifest manifest) =>
        BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new ManifestDocument(manifest.Generation, [.. manifest.Kept], manifest.Holder, manifest.WrittenAt, manifest.Owner, manifest.LogSegment)));

    private RemoteManifest Deserialize(BinaryData content)
    {
        try
        {
            var document = JsonSerializer.Deserialize<ManifestDocument>(content.ToMemory().Span)
                ?? throw new JsonException("the manifest is empty");
            return new RemoteManifest(document.Generation, document.Kept ?? [], document.Holder ?? "", document.WrittenAt)
            {
                Owner = document.Owner,
                LogSegment = document.LogSegment,
            };
        }
        catch (JsonException e)
        {
            throw new RemoteStoreException(ManifestName, $"the manifest is not readable ({e.Message})", e);
        }
    }

    /// <summary>The manifest as stored: plain JSON, readable with any tool.</summary>
    private sealed record ManifestDocument(long Generation, long[]? Kept, string? Holder, DateTimeOffset WrittenAt, string? Owner, long LogSegment);

    /// <summary>Runs a call to the service; what it still fails with after the client's retries becomes a <see cref="RemoteStoreException"/> naming <paramref name="objectName"/>.</summary>
    private static async Task<T> Guard<T>(string objectName, string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or IOException or HttpRequestException)
        {
            var status = e is RequestFailedException r ? $"status {r.Status}{(r.ErrorCode is { } c ? $", {c}" : "")}: " : "";
            throw new RemoteStoreException(objectName, $"{what} failed ({status}{e.Message.Split('\n')[0]})", e);
        }
    }
}
