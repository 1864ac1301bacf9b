using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Writes one snapshot to a stream: preamble and header, blocks, trailer. Blocks arrive already encoded
/// (see <see cref="BlockEncoder{TObject}"/>), so encoding can run on another thread than the writing.
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
    private byte[] _compressed = [];
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

    /// <summary>Writes one encoded block of <paramref name="count"/> objects.</summary>
    public async ValueTask WriteBlockAsync(ReadOnlyMemory<byte> raw, int count, bool async, CancellationToken cancellationToken)
    {
        if (count == 0) return;
        if (raw.Length > SnapshotFormat.MaxBlockBytes)
            throw new EtsArgumentException(null, $"A block of objects encodes to more than {SnapshotFormat.MaxBlockBytes} bytes, the most a block holds.");
        var stored = raw;
        if (compress)
        {
            var max = LZ4Codec.MaximumOutputSize(stored.Length);
            if (_compressed.Length < max) _compressed = new byte[max];
            var n = LZ4Codec.Encode(stored.Span, _compressed, LZ4Level.L00_FAST);
            stored = _compressed.AsMemory(0, n);
        }
        var hash = checksums ? XxHash3.HashToUInt64(stored.Span) : 0UL;
        var head = _small.AsSpan(0, SnapshotFormat.BlockHeaderBytes);
        head[0] = SnapshotFormat.BlockTag;
        BinaryPrimitives.WriteInt32LittleEndian(head[1..], count);
        BinaryPrimitives.WriteInt32LittleEndian(head[5..], raw.Length);
        BinaryPrimitives.WriteInt32LittleEndian(head[9..], stored.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(head[13..], hash);
        _blockHashes.Append(head[13..]);
        await PutAsync(_small.AsMemory(0, SnapshotFormat.BlockHeaderBytes), async, cancellationToken).ConfigureAwait(false);
        await PutAsync(stored, async, cancellationToken).ConfigureAwait(false);
        _objects += count;
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
