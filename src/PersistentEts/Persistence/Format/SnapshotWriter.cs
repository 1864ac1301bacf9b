using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace PersistentEts.Persistence.Format;

/// <summary>Writes one snapshot to a stream: preamble and header, blocks of objects, trailer.</summary>
internal sealed class SnapshotWriter<TObject>(Stream output, IObjectCodec<TObject> codec, bool checksums, bool compress)
{
    private readonly ArrayBufferWriter<byte> _raw = new(SnapshotFormat.TargetBlockBytes + (64 << 10));
    private readonly XxHash64 _blockHashes = new();
    private byte[] _compressed = [];
    private int _count;
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

    public void Add(TObject obj)
    {
        codec.Write(_raw, obj);
        _count++;
        if (_raw.WrittenCount >= SnapshotFormat.TargetBlockBytes) FlushBlock();
    }

    private void FlushBlock()
    {
        if (_count == 0) return;
        if (_raw.WrittenCount > SnapshotFormat.MaxBlockBytes)
            throw new EtsArgumentException(null, $"An object encodes to more than {SnapshotFormat.MaxBlockBytes} bytes, the largest a block holds.");
        ReadOnlySpan<byte> stored = _raw.WrittenSpan;
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
        BinaryPrimitives.WriteInt32LittleEndian(head[1..], _count);
        BinaryPrimitives.WriteInt32LittleEndian(head[5..], _raw.WrittenCount);
        BinaryPrimitives.WriteInt32LittleEndian(head[9..], stored.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(head[13..], hash);
        output.Write(head);
        output.Write(stored);
        _blockHashes.Append(head[13..]);
        _objects += _count;
        _blocks++;
        _count = 0;
        _raw.ResetWrittenCount();
    }

    public void WriteTrailer()
    {
        FlushBlock();
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
