using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Writes one snapshot to a stream: preamble and header, blocks, trailer. Blocks arrive already encoded
/// (see <see cref="BlockEncoder{TObject}"/>), so encoding can run on another thread than the writing.
/// </summary>
internal sealed class SnapshotWriter(Stream output, bool checksums, bool compress)
{
    private readonly XxHash64 _blockHashes = new();
    private byte[] _compressed = [];
    private long _objects;
    private long _blocks;

    public long Objects => _objects;

    public void WriteHeader(SnapshotHeader header)
    {
        var body = HeaderCodec.Encode(header);
        Span<byte> pre = stackalloc byte[SnapshotFormat.PreambleBytes];
        SnapshotFormat.Magic.CopyTo(pre);
        BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], SnapshotFormat.Version);
        var flags = (ushort)((checksums ? SnapshotFormat.FlagChecksums : 0) | (compress ? SnapshotFormat.FlagLz4 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(pre[10..], flags);
        BinaryPrimitives.WriteInt32LittleEndian(pre[12..], body.Length);
        output.Write(pre);
        output.Write(body);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.HashToUInt32(body));
        output.Write(crc);
    }

    /// <summary>Writes one encoded block of <paramref name="count"/> objects.</summary>
    public void WriteBlock(ReadOnlySpan<byte> raw, int count)
    {
        if (count == 0) return;
        if (raw.Length > SnapshotFormat.MaxBlockBytes)
            throw new EtsArgumentException(null, $"A block of objects encodes to more than {SnapshotFormat.MaxBlockBytes} bytes, the most a block holds.");
        var stored = raw;
        if (compress)
        {
            var max = LZ4Codec.MaximumOutputSize(stored.Length);
            if (_compressed.Length < max) _compressed = new byte[max];
            var n = LZ4Codec.Encode(stored, _compressed, LZ4Level.L00_FAST);
            stored = _compressed.AsSpan(0, n);
        }
        var hash = checksums ? XxHash3.HashToUInt64(stored) : 0UL;
        Span<byte> head = stackalloc byte[SnapshotFormat.BlockHeaderBytes];
        head[0] = SnapshotFormat.BlockTag;
        BinaryPrimitives.WriteInt32LittleEndian(head[1..], count);
        BinaryPrimitives.WriteInt32LittleEndian(head[5..], raw.Length);
        BinaryPrimitives.WriteInt32LittleEndian(head[9..], stored.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(head[13..], hash);
        output.Write(head);
        output.Write(stored);
        _blockHashes.Append(head[13..]);
        _objects += count;
        _blocks++;
    }

    public void WriteTrailer()
    {
        Span<byte> t = stackalloc byte[SnapshotFormat.TrailerBytes];
        t[0] = SnapshotFormat.TrailerTag;
        BinaryPrimitives.WriteInt64LittleEndian(t[1..], _objects);
        BinaryPrimitives.WriteInt64LittleEndian(t[9..], _blocks);
        BinaryPrimitives.WriteUInt64LittleEndian(t[17..], _blockHashes.GetCurrentHashAsUInt64());
        BinaryPrimitives.WriteUInt32LittleEndian(t[25..], Crc32.HashToUInt32(t[..25]));
        SnapshotFormat.EndMagic.CopyTo(t[29..]);
        output.Write(t);
    }
}
