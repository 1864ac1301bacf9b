using System.Buffers.Binary;
using System.IO.Hashing;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Writes one snapshot to a stream: preamble and header, blocks, trailer. Blocks arrive already encoded,
/// compressed and hashed (see <see cref="BlockEncoder{TObject}"/> and <see cref="StoredBlock"/>), so that
/// work runs on other threads than the writing.
/// </summary>
/// <remarks>
/// Each method writes either synchronously or by awaiting the stream (<c>async</c>), through the one
/// <see cref="PutAsync"/>, so a synchronous save and an asynchronous one write the same bytes by the same code.
/// </remarks>
internal sealed class SnapshotWriter(Stream output, bool checksums, bool compress)
{
    private readonly XxHash64 _blockHashes = new();

    // Scratch for block heads and the trailer; reused, since each write is finished before the next begins.
    private readonly byte[] _small = new byte[Math.Max(SnapshotFormat.BlockHeaderBytes, SnapshotFormat.TrailerBytes)];
    private long _objects;
    private long _blocks;

    public long Objects => _objects;

    public ValueTask WriteHeaderAsync(SnapshotHeader header, bool async, CancellationToken cancellationToken)
    {
        var body = HeaderCodec.Encode(header);
        var all = new byte[SnapshotFormat.PreambleBytes + body.Length + 4];
        var pre = all.AsSpan(0, SnapshotFormat.PreambleBytes);
        SnapshotFormat.Magic.CopyTo(pre);
        BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], SnapshotFormat.Version);
        var flags = (ushort)((checksums ? SnapshotFormat.FlagChecksums : 0) | (compress ? SnapshotFormat.FlagLz4 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(pre[10..], flags);
        BinaryPrimitives.WriteInt32LittleEndian(pre[12..], body.Length);
        body.CopyTo(all.AsSpan(SnapshotFormat.PreambleBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(all.AsSpan(SnapshotFormat.PreambleBytes + body.Length), Crc32.HashToUInt32(body));
        return PutAsync(all, async, cancellationToken);
    }

    /// <summary>Writes one block, whose stored bytes (<paramref name="stored"/>) were compressed and hashed as <paramref name="block"/> says.</summary>
    public async ValueTask WriteBlockAsync(ReadOnlyMemory<byte> stored, StoredBlock block, bool async, CancellationToken cancellationToken)
    {
        if (block.Count == 0) return;
        var head = _small.AsSpan(0, SnapshotFormat.BlockHeaderBytes);
        head[0] = SnapshotFormat.BlockTag;
        BinaryPrimitives.WriteInt32LittleEndian(head[1..], block.Count);
        BinaryPrimitives.WriteInt32LittleEndian(head[5..], block.RawLength);
        BinaryPrimitives.WriteInt32LittleEndian(head[9..], stored.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(head[13..], block.Hash);
        _blockHashes.Append(head[13..]);
        await PutAsync(_small.AsMemory(0, SnapshotFormat.BlockHeaderBytes), async, cancellationToken).ConfigureAwait(false);
        await PutAsync(stored, async, cancellationToken).ConfigureAwait(false);
        _objects += block.Count;
        _blocks++;
    }

    public ValueTask WriteTrailerAsync(bool async, CancellationToken cancellationToken)
    {
        var t = _small.AsSpan(0, SnapshotFormat.TrailerBytes);
        t[0] = SnapshotFormat.TrailerTag;
        BinaryPrimitives.WriteInt64LittleEndian(t[1..], _objects);
        BinaryPrimitives.WriteInt64LittleEndian(t[9..], _blocks);
        BinaryPrimitives.WriteUInt64LittleEndian(t[17..], _blockHashes.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt32LittleEndian(t[25..], Crc32.HashToUInt32(t[..25]));
        SnapshotFormat.EndMagic.CopyTo(t[29..]);
        return PutAsync(_small.AsMemory(0, SnapshotFormat.TrailerBytes), async, cancellationToken);
    }

    private ValueTask PutAsync(ReadOnlyMemory<byte> bytes, bool async, CancellationToken cancellationToken)
    {
        if (async) return output.WriteAsync(bytes, cancellationToken);
        output.Write(bytes.Span);
        return ValueTask.CompletedTask;
    }
}
