namespace PersistentEts.Persistence.Format;

/// <summary>Constants of the snapshot file format (see docs/file-format.md).</summary>
internal static class SnapshotFormat
{
    /// <summary>File signature: a high byte (catches 7-bit transfers), "PETS", CR LF (catches newline conversion), SUB.</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'P', (byte)'E', (byte)'T', (byte)'S', 0x0D, 0x0A, 0x1A];

    /// <summary>The last 8 bytes of a complete file.</summary>
    public static ReadOnlySpan<byte> EndMagic => [(byte)'P', (byte)'E', (byte)'T', (byte)'S', (byte)'E', (byte)'N', (byte)'D', 0x1A];

    /// <summary>
    /// The version written. 2 records the stored type's schema and the application's schema version in the
    /// header; version 1 files (without them) are still read.
    /// </summary>
    public const ushort Version = 2;

    public const ushort FlagChecksums = 1;
    public const ushort FlagLz4 = 2;
    public const ushort KnownFlags = FlagChecksums | FlagLz4;

    public const byte BlockTag = (byte)'B';
    public const byte TrailerTag = (byte)'E';

    /// <summary>Upper bound of the header's encoded size; a larger claim is a damaged file.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>A block is closed once its raw bytes reach this size.</summary>
    public const int TargetBlockBytes = 1 << 20;

    /// <summary>
    /// Upper bound of a block's raw or stored size (1 GiB). A block grows past <see cref="TargetBlockBytes"/> to hold
    /// one large object, so an object of up to this size less <see cref="TargetBlockBytes"/> is always saved. A
    /// larger claim in a file is damage; the reader checks every claim against the bytes left before allocating.
    /// </summary>
    public const int MaxBlockBytes = 1 << 30;

    /// <summary>magic + version + flags + header length.</summary>
    public const int PreambleBytes = 8 + 2 + 2 + 4;

    /// <summary>tag + count + raw length + stored length + checksum.</summary>
    public const int BlockHeaderBytes = 1 + 4 + 4 + 4 + 8;

    /// <summary>tag + objects + blocks + checksum of the block checksums + trailer CRC + end magic.</summary>
    public const int TrailerBytes = 1 + 8 + 8 + 8 + 4 + 8;
}
