using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace PersistentEts.Persistence.Format;

/// <summary>
/// One block as the file stores it: where its stored bytes lie in their chunk's buffer, and what its head
/// records: the stored length, the encoded (raw) length, the object count and the checksum of the stored
/// bytes (0 without checksums).
/// </summary>
internal readonly record struct StoredBlock(int Start, int Length, int RawLength, int Count, ulong Hash)
{
    /// <summary>
    /// Stores the block encoded in <paramref name="encoded"/> from <paramref name="start"/> to its end: as
    /// it is, or LZ4-compressed onto the end of <paramref name="compressed"/>, which the block's bytes are
    /// then read from; and hashes the stored bytes when <paramref name="checksums"/> is set.
    /// </summary>
    /// <remarks>
    /// Called by the thread that encoded the block, right after encoding it: the bytes are still in that
    /// core's cache, and compressing and hashing run on every encoding thread rather than all on the one
    /// thread that writes the file (which compressed and hashed every block of a save before).
    /// </remarks>
    public static StoredBlock Seal(PooledBufferWriter encoded, int start, int count, PooledBufferWriter? compressed, bool checksums)
    {
        var raw = encoded.WrittenSpan[start..];
        if (raw.Length > SnapshotFormat.MaxBlockBytes)
            throw new EtsArgumentException(null, $"A block of objects encodes to more than {SnapshotFormat.MaxBlockBytes} bytes, the most a block holds.");
        if (compressed is null) return new StoredBlock(start, raw.Length, raw.Length, count, checksums ? XxHash3.HashToUInt64(raw) : 0UL);
        var into = compressed.GetSpan(LZ4Codec.MaximumOutputSize(raw.Length));
        var length = LZ4Codec.Encode(raw, into, LZ4Level.L00_FAST);
        var hash = checksums ? XxHash3.HashToUInt64(into[..length]) : 0UL;
        compressed.Advance(length);
        return new StoredBlock(compressed.WrittenCount - length, length, raw.Length, count, hash);
    }
}
