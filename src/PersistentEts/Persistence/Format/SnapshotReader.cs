using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using MessagePack;
using MessagePack.Formatters;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// Reads and checks a snapshot. Every length is checked against the format's limits and against what
/// is left of the file before anything is allocated, so a damaged or hostile file is refused with a
/// <see cref="SnapshotFileException"/> and never loaded in part.
/// </summary>
internal sealed class SnapshotReader(Stream input, string path)
{
    private long _offset;

    public SnapshotHeader ReadHeader()
    {
        Span<byte> pre = stackalloc byte[SnapshotFormat.PreambleBytes];
        if (!TryFill(pre)) throw Fail(_offset == 0 ? "the file is empty" : "the file is too short to be a snapshot");
        if (!pre[..8].SequenceEqual(SnapshotFormat.Magic)) throw Fail("not a PersistentEts snapshot (wrong signature)", 0);
        var version = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
        if (version > SnapshotFormat.Version)
            throw Fail($"format version {version} is newer than this library reads (up to {SnapshotFormat.Version}); upgrade PersistentEts", 8);
        if (version == 0) throw Fail("format version 0 is invalid", 8);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(pre[10..]);
        if ((flags & ~SnapshotFormat.KnownFlags) != 0) throw Fail($"unknown flags 0x{flags:x4}", 10);
        var length = BinaryPrimitives.ReadInt32LittleEndian(pre[12..]);
        if (length <= 0 || length > SnapshotFormat.MaxHeaderBytes) throw Fail($"the header length {length} is out of range", 12);
        EnsureRemaining(length + 4, "the header");
        var body = new byte[length + 4];
        Fill(body, "the header");
        if (Crc32.HashToUInt32(body.AsSpan(0, length)) != BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(length)))
            throw Fail("the header checksum does not match", SnapshotFormat.PreambleBytes);
        Flags = flags;
        return HeaderCodec.Decode(body.AsMemory(0, length), version, flags, path);
    }

    public ushort Flags { get; private set; }

    /// <summary>Blocks read by the last <see cref="ReadObjects{TObject}"/>.</summary>
    public long BlocksRead { get; private set; }

    /// <summary>Reads every block, calling <paramref name="onObject"/> per object; checks the trailer. Returns the object count.</summary>
    public long ReadObjects<TObject>(IObjectCodec<TObject> codec, bool verify, Action<TObject> onObject) =>
        ReadBlocks(verify, block =>
        {
            try
            {
                DecodeBlock(codec, block, onObject);
            }
            finally
            {
                block.Release();
            }
        });

    /// <summary>
    /// Reads every block in file order, checked and decompressed, and hands each to <paramref name="onBlock"/>,
    /// which owns it from then on (and must <see cref="RawBlock.Release"/> it); then checks the trailer.
    /// Returns the object count. Blocks may be decoded on other threads (see <see cref="DecodeBlock{TObject}"/>).
    /// </summary>
    public long ReadBlocks(bool verify, Action<RawBlock> onBlock)
    {
        var checksums = (Flags & SnapshotFormat.FlagChecksums) != 0;
        var compressed = (Flags & SnapshotFormat.FlagLz4) != 0;
        var blockHashes = new XxHash64();
        long objects = 0, blocks = 0;
        Span<byte> head = stackalloc byte[SnapshotFormat.BlockHeaderBytes];
        while (true)
        {
            var blockStart = _offset;
            Fill(head[..1], "the next block");
            if (head[0] == SnapshotFormat.TrailerTag) break;
            if (head[0] != SnapshotFormat.BlockTag) throw Fail($"unexpected byte 0x{head[0]:x2} where a block starts", blockStart);
            Fill(head[1..], "a block header");
            var count = BinaryPrimitives.ReadInt32LittleEndian(head[1..]);
            var rawLength = BinaryPrimitives.ReadInt32LittleEndian(head[5..]);
            var storedLength = BinaryPrimitives.ReadInt32LittleEndian(head[9..]);
            var hash = BinaryPrimitives.ReadUInt64LittleEndian(head[13..]);
            if (rawLength <= 0 || rawLength > SnapshotFormat.MaxBlockBytes) throw Fail($"block length {rawLength} is out of range", blockStart + 5);
            if (storedLength <= 0 || storedLength > SnapshotFormat.MaxBlockBytes) throw Fail($"stored block length {storedLength} is out of range", blockStart + 9);
            if (count <= 0 || count > rawLength) throw Fail($"block object count {count} is impossible for {rawLength} bytes", blockStart + 1);
            if (!compressed && storedLength != rawLength) throw Fail("an uncompressed block's lengths disagree", blockStart + 5);
            // LZ4 cannot expand data by more than ~255x; a bigger claim is a lie, refused before allocating.
            if (compressed && rawLength > (long)storedLength * 255 + 64) throw Fail($"block length {rawLength} is impossible for {storedLength} compressed bytes", blockStart + 5);
            EnsureRemaining(storedLength, "a block");
            var stored = ArrayPool<byte>.Shared.Rent(storedLength);
            var block = new RawBlock(stored, storedLength, count, blockStart);
            try
            {
                Fill(stored.AsSpan(0, storedLength), "a block");
                if (checksums && verify && XxHash3.HashToUInt64(stored.AsSpan(0, storedLength)) != hash)
                    throw Fail("a block checksum does not match (the file is damaged)", blockStart);
                if (compressed)
                {
                    var raw = ArrayPool<byte>.Shared.Rent(rawLength);
                    var n = LZ4Codec.Decode(stored.AsSpan(0, storedLength), raw.AsSpan(0, rawLength));
                    block.Release();
                    block = new RawBlock(raw, rawLength, count, blockStart);
                    if (n != rawLength) throw Fail("a compressed block cannot be decompressed", blockStart);
                }
            }
            catch
            {
                block.Release();
                throw;
            }
            blockHashes.Append(head[13..]);
            objects += count;
            blocks++;
            onBlock(block);
        }
        ReadTrailer(objects, blocks, checksums && verify ? blockHashes.GetCurrentHashAsUInt64() : null);
        BlocksRead = blocks;
        return objects;
    }

    /// <summary>One block's objects, encoded, in a pooled buffer: give it back with <see cref="Release"/>.</summary>
    public sealed class RawBlock(byte[] buffer, int length, int count, long start)
    {
        private byte[]? _buffer = buffer;

        /// <summary>The encoded objects.</summary>
        public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(RawBlock))).AsMemory(0, length);

        /// <summary>How many objects the block holds.</summary>
        public int Count => count;

        /// <summary>Where the block starts in the file, for error messages.</summary>
        public long Start => start;

        /// <summary>Returns the buffer to the pool; the block is unusable afterwards. Idempotent.</summary>
        public void Release()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } b) ArrayPool<byte>.Shared.Return(b);
        }
    }

    /// <summary>
    /// Decodes a block's objects in order, calling <paramref name="onObject"/> for each; any thread may call
    /// it (it reads nothing of the reader's state but the file's name).
    /// </summary>
    public void DecodeBlock<TObject>(IObjectCodec<TObject> codec, RawBlock block, Action<TObject> onObject)
    {
        if (codec is MessagePackObjectCodec<TObject>)
        {
            DecodeMessagePackBlock(codec, block, onObject);
            return;
        }
        var raw = block.Bytes;
        var count = block.Count;
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            TObject obj;
            int used;
            try
            {
                obj = codec.Read(raw[at..], out used);
            }
            catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
            {
                throw DecodeFailure(codec, raw, at, i, block.Start, e);
            }
            if (used <= 0 || used > raw.Length - at) throw Fail("an object runs past its block", block.Start);
            at += used;
            Decoded(obj, i, block.Start, onObject);
        }
        if (at != raw.Length) throw Fail($"a block has {raw.Length - at} bytes after its last object", block.Start);
    }

    /// <summary>
    /// The default codec's blocks, read with one MessagePack reader over the whole block and one formatter
    /// lookup, as a save writes them with one writer: the codec's own call builds a reader over a fresh
    /// sequence and looks the formatter up for every object (a tenth of a load's decoding samples).
    /// A failure is wrapped as <see cref="MessagePackSerializer.Deserialize{T}(ref MessagePackReader, MessagePackSerializerOptions?)"/>
    /// wraps it, so it is reported exactly as the codec reports it.
    /// </summary>
    private void DecodeMessagePackBlock<TObject>(IObjectCodec<TObject> codec, RawBlock block, Action<TObject> onObject)
    {
        var raw = block.Bytes;
        var options = DefaultCodecOptions.Options;
        IMessagePackFormatter<TObject>? formatter = null;
        var reader = new MessagePackReader(raw);
        for (var i = 0; i < block.Count; i++)
        {
            var at = (int)reader.Consumed;
            TObject obj;
            try
            {
                obj = Read(ref formatter, ref reader, options);
            }
            catch (Exception e) when (e is not EtsException and not OutOfMemoryException)
            {
                throw DecodeFailure(codec, raw, at, i, block.Start, e);
            }
            Decoded(obj, i, block.Start, onObject);
        }
        if (reader.Consumed != raw.Length) throw Fail($"a block has {raw.Length - reader.Consumed} bytes after its last object", block.Start);
    }

    /// <summary>One object, with the formatter looked up on the first call; a failure, of the lookup too, wrapped as MessagePack wraps it.</summary>
    private static TObject Read<TObject>(ref IMessagePackFormatter<TObject>? formatter, ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        try
        {
            formatter ??= options.Resolver.GetFormatterWithVerify<TObject>();
            return formatter.Deserialize(ref reader, options);
        }
        catch (Exception e)
        {
            throw new MessagePackSerializationException($"Failed to deserialize {typeof(TObject).FullName} value.", e);
        }
    }

    /// <summary>Well-formed but of another shape is a schema problem, named by member; anything else is damage.</summary>
    private Exception DecodeFailure<TObject>(IObjectCodec<TObject> codec, ReadOnlyMemory<byte> raw, int at, int index, long blockStart, Exception e) =>
        (Exception?)Schema.DecodeDiagnosis.Mismatch(path, raw[at..], codec, $"object {index} of the block at byte {blockStart}", e)
        ?? new SnapshotFileException(path, $"object {index} of the block cannot be decoded as {typeof(TObject).Name}: {e.Message}", blockStart, e);

    private void Decoded<TObject>(TObject obj, int index, long blockStart, Action<TObject> onObject)
    {
        if (obj is null) throw Fail($"object {index} of the block decodes to null", blockStart);
        onObject(obj);
    }

    /// <summary>Reads the trailer; the tag byte has been read. Null <paramref name="blockHash"/> skips the hash check.</summary>
    private void ReadTrailer(long objects, long blocks, ulong? blockHash)
    {
        var start = _offset - 1;
        Span<byte> t = stackalloc byte[SnapshotFormat.TrailerBytes];
        t[0] = SnapshotFormat.TrailerTag;
        Fill(t[1..], "the trailer");
        if (Crc32.HashToUInt32(t[..25]) != BinaryPrimitives.ReadUInt32LittleEndian(t[25..])) throw Fail("the trailer checksum does not match", start);
        if (!t[29..].SequenceEqual(SnapshotFormat.EndMagic)) throw Fail("the trailer's end signature is wrong", start + 29);
        if (BinaryPrimitives.ReadInt64LittleEndian(t[1..]) != objects) throw Fail($"the trailer counts {BinaryPrimitives.ReadInt64LittleEndian(t[1..])} objects but the file holds {objects}", start);
        if (BinaryPrimitives.ReadInt64LittleEndian(t[9..]) != blocks) throw Fail("the trailer's block count does not match", start);
        if (blockHash is { } h && BinaryPrimitives.ReadUInt64LittleEndian(t[17..]) != h) throw Fail("the blocks' combined checksum does not match", start);
        if (input.ReadByte() >= 0) throw Fail("there are bytes after the trailer", _offset);
    }

    /// <summary>
    /// The object count the trailer claims, read without moving the read position, or 0 when it cannot be
    /// read. Only a capacity hint: the full read checks it.
    /// </summary>
    public int PeekObjectCount()
    {
        if (!input.CanSeek) return 0;
        var position = input.Position;
        var offset = _offset;
        try
        {
            var (objects, _) = ReadTrailerOnly();
            return (int)Math.Min(objects, 1 << 26);
        }
        catch (SnapshotFileException)
        {
            return 0; // the full read reports the damage with its real position
        }
        finally
        {
            input.Position = position;
            _offset = offset;
        }
    }

    /// <summary>Reads only the trailer at the end of the file, for info without loading.</summary>
    public (long Objects, long Blocks) ReadTrailerOnly()
    {
        if (!input.CanSeek || input.Length < SnapshotFormat.TrailerBytes) throw Fail("the file is too short to hold a trailer");
        input.Seek(-SnapshotFormat.TrailerBytes, SeekOrigin.End);
        _offset = input.Position;
        Span<byte> t = stackalloc byte[SnapshotFormat.TrailerBytes];
        Fill(t, "the trailer");
        if (t[0] != SnapshotFormat.TrailerTag || !t[29..].SequenceEqual(SnapshotFormat.EndMagic)) throw Fail("the file is incomplete (no trailer at the end)", _offset - t.Length);
        if (Crc32.HashToUInt32(t[..25]) != BinaryPrimitives.ReadUInt32LittleEndian(t[25..])) throw Fail("the trailer checksum does not match", _offset - t.Length);
        var objects = BinaryPrimitives.ReadInt64LittleEndian(t[1..]);
        var blocks = BinaryPrimitives.ReadInt64LittleEndian(t[9..]);
        if (objects < 0 || blocks < 0) throw Fail("the trailer's counts are negative", _offset - t.Length);
        return (objects, blocks);
    }

    private void EnsureRemaining(long needed, string what)
    {
        if (input.CanSeek && input.Length - _offset < needed)
            throw Fail($"the file is truncated: {what} needs {needed} bytes but only {input.Length - _offset} remain", _offset);
    }

    private bool TryFill(Span<byte> buffer)
    {
        var n = 0;
        while (n < buffer.Length)
        {
            var r = input.Read(buffer[n..]);
            if (r == 0) break;
            n += r;
        }
        _offset += n;
        return n == buffer.Length;
    }

    private void Fill(Span<byte> buffer, string what)
    {
        if (!TryFill(buffer)) throw Fail($"the file is truncated in {what}", _offset);
    }

    private SnapshotFileException Fail(string problem, long? offset = null) => new(path, problem, offset);
}
