using System.Buffers.Binary;
using System.IO.Hashing;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Format;
using PersistentEts.Persistence.Log;

namespace PersistentEts.Tests.Schema;

/// <summary>
/// Files written by version V1 of the application, as a snapshot or as a log alone, and the header
/// rewrites that make them look written by the same types in another namespace (objects hold no type names).
/// </summary>
internal static class SchemaFiles
{
    public const string V1Namespace = "PersistentEts.Tests.Schema.V1.";

    public static readonly V1.Row Ada = new(1, "ada", "a", 10, new V1.Address("Main St"), V1.Kind.High, [1, 2]);
    public static readonly V1.Row Bob = new(2, "bob", null, 20, new V1.Address("Elm St"), V1.Kind.Low, []);

    /// <summary>Options of the tables under test: no timed saves, so every file on disk is one the test made.</summary>
    public static PersistentTableOptions Options(bool log) => new()
    {
        PersistEvery = TimeSpan.FromHours(1),
        Durability = log ? DurabilityMode.Log : DurabilityMode.Snapshot,
    };

    /// <summary>
    /// Writes <see cref="Ada"/> and <see cref="Bob"/> with V1's types: as a snapshot (the table closed), or as
    /// log segments alone (Log durability, and the process ends before any snapshot).
    /// </summary>
    public static void WriteV1(string path, bool asLog, int schemaVersion = 0, IObjectCodec<V1.Row>? codec = null)
    {
        var t = PersistentTable.New("rows", path, (V1.Row r) => r.Id, Options(asLog) with { SchemaVersion = schemaVersion }, codec);
        t.Insert(Ada);
        t.Insert(Bob);
        if (asLog) t.Persistence!.Abandon();
        t.Dispose();
        Assert.Equal(!asLog, File.Exists(path));
        Assert.Equal(asLog, LogFormat.FindSegments(path).Count > 0);
    }

    /// <summary>Makes the files at <paramref name="path"/> look written by the same types in <paramref name="toNamespace"/>.</summary>
    public static void Retarget(string path, string toNamespace, string fromNamespace = V1Namespace)
    {
        string Move(string text) => text.Replace(fromNamespace, toNamespace, StringComparison.Ordinal);
        RewriteHeaders(path,
            h => h with { ObjectType = Move(h.ObjectType), Schema = h.Schema is null ? null : Move(h.Schema) },
            s => s with { ObjectType = s.ObjectType is null ? null : Move(s.ObjectType), Schema = s.Schema is null ? null : Move(s.Schema) });
    }

    /// <summary>Rewrites the snapshot's header and every log segment's header, keeping their objects and records.</summary>
    public static void RewriteHeaders(string path, Func<SnapshotHeader, SnapshotHeader> snapshot, Func<LogSegmentHeader, LogSegmentHeader> segment)
    {
        if (File.Exists(path)) RewriteSnapshotHeader(path, snapshot);
        foreach (var (seq, file) in LogFormat.FindSegments(path))
        {
            var bytes = File.ReadAllBytes(file);
            LogSegmentHeader header;
            long length;
            using (var stream = new MemoryStream(bytes)) header = LogSegmentHeader.Read(stream, file, seq, isLast: true, out length)!;
            using var output = File.Create(file);
            output.Write(segment(header).Encode());
            output.Write(bytes.AsSpan((int)length));
        }
    }

    private static void RewriteSnapshotHeader(string path, Func<SnapshotHeader, SnapshotHeader> change)
    {
        var bytes = File.ReadAllBytes(path);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        var header = HeaderCodec.Decode(bytes.AsMemory(16, length), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)), path);
        var body = HeaderCodec.Encode(change(header));
        using var output = File.Create(path);
        output.Write(bytes.AsSpan(0, 12));
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(number, body.Length);
        output.Write(number);
        output.Write(body);
        BinaryPrimitives.WriteUInt32LittleEndian(number, Crc32.HashToUInt32(body));
        output.Write(number);
        output.Write(bytes.AsSpan(16 + length + 4));
    }

    /// <summary>Every file of the table (snapshot and segments) with its bytes, to show that nothing was written.</summary>
    public static SortedDictionary<string, byte[]> Contents(string path)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (File.Exists(path)) files[path] = File.ReadAllBytes(path);
        foreach (var (_, segment) in LogFormat.FindSegments(path)) files[segment] = File.ReadAllBytes(segment);
        return files;
    }
}
