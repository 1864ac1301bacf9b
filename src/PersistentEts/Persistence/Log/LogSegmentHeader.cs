using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using MessagePack;

namespace PersistentEts.Persistence.Log;

/// <summary>
/// What a log segment says about itself: its number and, from format 2 on, what its records hold (table
/// type, key, codec, stored type, schema, schema version, as a snapshot header says them), so a log replayed
/// at open, even with no snapshot before it, is checked and migrated as a snapshot is. Format 1 (20 bytes): magic, u64 number, u32 CRC-32. Format 2: magic 2, u64 number, u32 length of
/// a MessagePack map of strings, the map, u32 CRC-32 of everything before it.
/// </summary>
/// <param name="Seq">The segment's number.</param>
/// <param name="TableType">The table type's ETS name (<c>set</c>, <c>bag</c>…); null in format 1.</param>
/// <param name="Key">The key selector's text; null in format 1.</param>
/// <param name="KeyType">The key type's recorded name; null in format 1.</param>
/// <param name="Codec">The codec id of its records; null in format 1.</param>
/// <param name="ObjectType">The stored type's recorded name; null in format 1.</param>
/// <param name="Schema">The stored type's schema text as the codec supplied it, or null.</param>
/// <param name="SchemaVersion">The application's schema version when the segment was started (0 in format 1).</param>
internal sealed record LogSegmentHeader(long Seq, string? TableType, string? Key, string? KeyType, string? Codec, string? ObjectType, string? Schema, int SchemaVersion)
{
    /// <summary>First 8 bytes of a format-2 segment.</summary>
    public static ReadOnlySpan<byte> Magic2 => [(byte)'P', (byte)'E', (byte)'T', (byte)'S', (byte)'L', (byte)'O', (byte)'G', 0x02];

    private static readonly MessagePackSerializerOptions s_options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The header's bytes, in format 2.</summary>
    public byte[] Encode()
    {
        var map = new Dictionary<string, string> { ["schemaVersion"] = SchemaVersion.ToString(CultureInfo.InvariantCulture) };
        if (TableType is not null) map["type"] = TableType;
        if (Key is not null) map["key"] = Key;
        if (KeyType is not null) map["keyType"] = KeyType;
        if (Codec is not null) map["codec"] = Codec;
        if (ObjectType is not null) map["objectType"] = ObjectType;
        if (Schema is not null) map["schema"] = Schema;
        var meta = MessagePackSerializer.Serialize(map, s_options);
        var bytes = new byte[8 + 8 + 4 + meta.Length + 4];
        Magic2.CopyTo(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), Seq);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), meta.Length);
        meta.CopyTo(bytes.AsSpan(20));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20 + meta.Length), Crc32.HashToUInt32(bytes.AsSpan(0, 20 + meta.Length)));
        return bytes;
    }

    /// <summary>
    /// Reads the header at the stream's start. Returns null when the file ends inside it, which only the
    /// newest segment may (it was being created); throws <see cref="LogDamagedException"/> for anything
    /// else that is wrong. <paramref name="length"/> is where the first record starts.
    /// </summary>
    public static LogSegmentHeader? Read(Stream stream, string path, long expectedSeq, bool isLast, out long length)
    {
        length = 0;
        var fileLength = stream.Length;
        Span<byte> fixedPart = stackalloc byte[LogFormat.SegmentHeaderBytes];
        if (fileLength < fixedPart.Length) return Incomplete(isLast, path);
        stream.ReadExactly(fixedPart);
        LogSegmentHeader header;
        if (fixedPart[..8].SequenceEqual(LogFormat.Magic))
        {
            if (Crc32.HashToUInt32(fixedPart[..16]) != BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[16..]))
                throw new LogDamagedException(path, 0, "the segment header checksum does not match");
            header = new LogSegmentHeader(BinaryPrimitives.ReadInt64LittleEndian(fixedPart[8..]), null, null, null, null, null, null, 0);
            length = LogFormat.SegmentHeaderBytes;
        }
        else if (fixedPart[..8].SequenceEqual(Magic2))
        {
            var metaLength = BinaryPrimitives.ReadInt32LittleEndian(fixedPart[16..]);
            if (metaLength <= 0 || metaLength > Format.SnapshotFormat.MaxHeaderBytes)
                throw new LogDamagedException(path, 16, $"the segment header's length {metaLength} is out of range");
            var total = 20L + metaLength + 4;
            if (fileLength < total) return Incomplete(isLast, path);
            var bytes = new byte[total];
            fixedPart.CopyTo(bytes);
            stream.ReadExactly(bytes.AsSpan(20));
            if (Crc32.HashToUInt32(bytes.AsSpan(0, 20 + metaLength)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20 + metaLength)))
            {
                // Cut short while being created is a torn header only for the newest segment, and only at its end.
                if (isLast && fileLength == total) return null;
                throw new LogDamagedException(path, 0, "the segment header checksum does not match");
            }
            header = Decode(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)), bytes.AsMemory(20, metaLength), path);
            length = total;
        }
        else
        {
            throw new LogDamagedException(path, 0, "not a PersistentEts log segment (wrong signature)");
        }
        if (header.Seq != expectedSeq) throw new LogDamagedException(path, 8, $"the segment says it is number {header.Seq}, its name says {expectedSeq}");
        return header;
    }

    private static LogSegmentHeader? Incomplete(bool isLast, string path) =>
        isLast ? null : throw new LogDamagedException(path, 0, "the segment header is incomplete");

    private static LogSegmentHeader Decode(long seq, ReadOnlyMemory<byte> meta, string path)
    {
        Dictionary<string, string> map;
        try
        {
            map = MessagePackSerializer.Deserialize<Dictionary<string, string>>(meta, s_options);
        }
        catch (MessagePackSerializationException e)
        {
            throw new LogDamagedException(path, 20, $"the segment header cannot be decoded ({e.Message})");
        }
        if (!int.TryParse(map.GetValueOrDefault("schemaVersion"), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new LogDamagedException(path, 20, "the segment header has no valid schemaVersion");
        return new LogSegmentHeader(seq, map.GetValueOrDefault("type"), map.GetValueOrDefault("key"), map.GetValueOrDefault("keyType"), map.GetValueOrDefault("codec"), map.GetValueOrDefault("objectType"), map.GetValueOrDefault("schema"), version);
    }
}
