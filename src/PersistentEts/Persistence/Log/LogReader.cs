using System.Buffers.Binary;
using System.IO.Hashing;

namespace PersistentEts.Persistence.Log;

/// <summary>One decoded log record: a put, a remove, a clear, or a batch of them.</summary>
internal abstract record LogRecord<TObject>
{
    public sealed record PutRecord(TObject[] Objects) : LogRecord<TObject>;

    public sealed record RemoveRecord(TObject AnyObjectOfKey) : LogRecord<TObject>;

    public sealed record ClearRecord : LogRecord<TObject>;

    public sealed record BatchRecord(LogRecord<TObject>[] Records) : LogRecord<TObject>;
}

/// <summary>
/// Reads log segments. A record cut short at the very end of the last segment is a torn tail (the
/// process died mid-append): it is reported so the caller can cut it off. Any other bad record is damage.
/// </summary>
internal static class LogReader
{
    /// <summary>Where reading a segment stopped.</summary>
    /// <param name="Records">Good records read.</param>
    /// <param name="GoodLength">Bytes up to the end of the last good record.</param>
    /// <param name="Torn">True when the segment ends in an incomplete record at <see cref="GoodLength"/>.</param>
    public readonly record struct SegmentEnd(long Records, long GoodLength, bool Torn);

    /// <summary>
    /// Reads one segment, calling <paramref name="apply"/> per good record. Throws
    /// <see cref="LogDamagedException"/> for damage; reports a torn tail only when <paramref name="isLast"/>.
    /// </summary>
    public static SegmentEnd ReadSegment<TObject>(Stream stream, string path, long expectedSeq, bool isLast,
        Func<LogSegmentHeader, IObjectCodec<TObject>> codecFor, Action<LogRecord<TObject>>? apply)
    {
        var length = stream.Length;
        var segment = LogSegmentHeader.Read(stream, path, expectedSeq, isLast, out var headerLength);
        // Created but its header never completed: only possible for the newest segment.
        if (segment is null) return new SegmentEnd(0, 0, true);
        // Chosen per segment: the records are read as what the segment says it holds (checked, maybe migrated).
        var codec = codecFor(segment);

        long offset = headerLength, records = 0;
        Span<byte> recordHeader = stackalloc byte[LogFormat.RecordHeaderBytes];
        var buffer = Array.Empty<byte>();
        while (offset < length)
        {
            var remaining = length - offset;
            if (remaining < LogFormat.RecordHeaderBytes)
                return TornOrDamaged(isLast, path, offset, records, "a record header is cut short");
            stream.ReadExactly(recordHeader);
            var size = BinaryPrimitives.ReadInt32LittleEndian(recordHeader);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]);
            if (size <= 0 || size > LogFormat.MaxRecordBytes)
                throw new LogDamagedException(path, offset, $"record length {size} is out of range");
            if (size > remaining - LogFormat.RecordHeaderBytes)
                return TornOrDamaged(isLast, path, offset, records, "a record is cut short");
            if (buffer.Length < size) buffer = new byte[Math.Max(size, 4096)];
            stream.ReadExactly(buffer.AsSpan(0, size));
            if (Crc32.HashToUInt32(buffer.AsSpan(0, size)) != crc)
            {
                // A bad final record is a torn write; a bad record with more after it is damage.
                var endsFile = offset + LogFormat.RecordHeaderBytes + size == length;
                return endsFile ? TornOrDamaged(isLast, path, offset, records, "the last record's checksum does not match")
                    : throw new LogDamagedException(path, offset, "a record's checksum does not match");
            }
            var record = Decode(buffer.AsMemory(0, size), codec, path, offset);
            apply?.Invoke(record);
            records++;
            offset += LogFormat.RecordHeaderBytes + size;
        }
        return new SegmentEnd(records, offset, false);
    }

    /// <summary>
    /// Decodes the whole records at the start of <paramref name="bytes"/>, which begin at a record boundary,
    /// <paramref name="baseOffset"/> bytes into segment <paramref name="name"/>: what a follower does with
    /// each read of a remote segment. Calls <paramref name="apply"/> per record with the offset just past it,
    /// and returns how many bytes the whole records took; a record cut short at the end is left for the next
    /// read. A complete record that fails its checksum is damage (a store never shows half an append).
    /// </summary>
    public static int ReadRecords<TObject>(ReadOnlyMemory<byte> bytes, long baseOffset, string name, IObjectCodec<TObject> codec,
        Action<LogRecord<TObject>, long> apply)
    {
        var at = 0;
        while (bytes.Length - at >= LogFormat.RecordHeaderBytes)
        {
            var span = bytes.Span[at..];
            var offset = baseOffset + at;
            var size = BinaryPrimitives.ReadInt32LittleEndian(span);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
            if (size <= 0 || size > LogFormat.MaxRecordBytes)
                throw new LogDamagedException(name, offset, $"record length {size} is out of range");
            if (size > span.Length - LogFormat.RecordHeaderBytes) break;
            var payload = bytes.Slice(at + LogFormat.RecordHeaderBytes, size);
            if (Crc32.HashToUInt32(payload.Span) != crc) throw new LogDamagedException(name, offset, "a record's checksum does not match");
            var record = Decode(payload, codec, name, offset);
            at += LogFormat.RecordHeaderBytes + size;
            apply(record, baseOffset + at);
        }
        return at;
    }

    private static SegmentEnd TornOrDamaged(bool isLast, string path, long offset, long records, string problem) =>
        isLast ? new SegmentEnd(records, offset, true) : throw new LogDamagedException(path, offset, problem + " in a segment that is not the last");

    private static LogRecord<TObject> Decode<TObject>(ReadOnlyMemory<byte> payload, IObjectCodec<TObject> codec, string path, long offset)
    {
        try
        {
            return DecodePayload(payload, codec, depth: 0, path, offset);
        }
        catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
        {
            throw new LogDamagedException(path, offset, $"a record cannot be decoded ({e.Message})");
        }
    }

    /// <summary>One object of a record; a well-formed object of another shape is a schema problem, named by member.</summary>
    private static TObject ReadObject<TObject>(ReadOnlyMemory<byte> stored, IObjectCodec<TObject> codec, string path, long offset, out int bytesRead)
    {
        try
        {
            return codec.Read(stored, out bytesRead);
        }
        catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
        {
            throw (Exception?)Schema.DecodeDiagnosis.Mismatch(path, stored, codec, $"the record at byte {offset}", e) ?? e;
        }
    }

    private static LogRecord<TObject> DecodePayload<TObject>(ReadOnlyMemory<byte> payload, IObjectCodec<TObject> codec, int depth, string path, long offset)
    {
        var span = payload.Span;
        if (span.IsEmpty) throw new InvalidDataException("empty record");
        switch (span[0])
        {
            // A batch is one multi-key write: puts and removes of its keys, never a clear.
            case LogFormat.Clear when span.Length == 1 && depth == 0:
                return new LogRecord<TObject>.ClearRecord();
            case LogFormat.Remove:
                var removed = ReadObject(payload[1..], codec, path, offset, out var used);
                if (used != payload.Length - 1) throw new InvalidDataException("bytes after a remove record's object");
                return new LogRecord<TObject>.RemoveRecord(removed);
            case LogFormat.Put:
                var count = Count(span, payload.Length / 1);
                var objects = new TObject[count];
                var at = 5;
                for (var i = 0; i < count; i++)
                {
                    objects[i] = ReadObject(payload[at..], codec, path, offset, out var n);
                    at += n;
                }
                if (at != payload.Length) throw new InvalidDataException("bytes after a put record's objects");
                return new LogRecord<TObject>.PutRecord(objects);
            case LogFormat.Batch when depth == 0:
                var parts = Count(span, payload.Length / 4);
                var records = new LogRecord<TObject>[parts];
                var pos = 5;
                for (var i = 0; i < parts; i++)
                {
                    if (pos + 4 > payload.Length) throw new InvalidDataException("a batch is cut short");
                    var len = BinaryPrimitives.ReadInt32LittleEndian(span[pos..]);
                    if (len <= 0 || len > payload.Length - pos - 4) throw new InvalidDataException("a batch entry's length is out of range");
                    records[i] = DecodePayload(payload.Slice(pos + 4, len), codec, depth + 1, path, offset);
                    pos += 4 + len;
                }
                if (pos != payload.Length) throw new InvalidDataException("bytes after a batch's entries");
                return new LogRecord<TObject>.BatchRecord(records);
            default:
                throw new InvalidDataException($"unknown record type 0x{span[0]:x2}");
        }
    }

    /// <summary>A count field, bounded by what the payload could hold (so a lie allocates nothing large).</summary>
    private static int Count(ReadOnlySpan<byte> span, int max)
    {
        if (span.Length < 5) throw new InvalidDataException("a record is too short for its count");
        var count = BinaryPrimitives.ReadInt32LittleEndian(span[1..]);
        if (count <= 0 || count > max) throw new InvalidDataException($"count {count} is out of range");
        return count;
    }
}
