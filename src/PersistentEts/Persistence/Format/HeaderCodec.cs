using System.Globalization;
using MessagePack;

namespace PersistentEts.Persistence.Format;

/// <summary>Encodes the header as a MessagePack map of strings, so any tool can read it.</summary>
internal static class HeaderCodec
{
    private static readonly MessagePackSerializerOptions s_options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Encode(SnapshotHeader h)
    {
        var map = Fields(h);
        if (h.LogSegment > 0) map["logSegment"] = h.LogSegment.ToString(CultureInfo.InvariantCulture);
        if (h.Schema is not null) map["schema"] = h.Schema;
        map["schemaVersion"] = h.SchemaVersion.ToString(CultureInfo.InvariantCulture);
        return MessagePackSerializer.Serialize(map, s_options);
    }

    private static Dictionary<string, string> Fields(SnapshotHeader h) => new()
    {
        ["name"] = h.Name,
        ["type"] = h.Type.ToEtsName(),
        ["key"] = h.Key,
        ["keyType"] = h.KeyType,
        ["objectType"] = h.ObjectType,
        ["protection"] = h.Protection.ToString().ToLowerInvariant(),
        ["named"] = h.NamedTable ? "true" : "false",
        ["codec"] = h.Codec,
        ["created"] = h.CreatedUtc.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
    };

    public static SnapshotHeader Decode(ReadOnlyMemory<byte> bytes, ushort version, ushort flags, string path)
    {
        Dictionary<string, string> map;
        try
        {
            map = MessagePackSerializer.Deserialize<Dictionary<string, string>>(bytes, s_options);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidOperationException or OverflowException)
        {
            throw new SnapshotFileException(path, "the header cannot be decoded", SnapshotFormat.PreambleBytes, e);
        }
        string Get(string field) => map.TryGetValue(field, out var v) && v is not null
            ? v
            : throw new SnapshotFileException(path, $"the header has no '{field}' field", SnapshotFormat.PreambleBytes);
        var type = Get("type") switch
        {
            "set" => TableType.Set,
            "ordered_set" => TableType.OrderedSet,
            "bag" => TableType.Bag,
            "duplicate_bag" => TableType.DuplicateBag,
            var other => throw new SnapshotFileException(path, $"the header names an unknown table type '{other}'"),
        };
        if (!Enum.TryParse<TableProtection>(Get("protection"), ignoreCase: true, out var protection))
            throw new SnapshotFileException(path, $"the header names an unknown protection '{Get("protection")}'");
        if (!long.TryParse(Get("created"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var created)
            || created < -62135596800000 || created > 253402300799999)
            throw new SnapshotFileException(path, "the header's creation time is invalid");
        long logSegment = 0;
        if (map.TryGetValue("logSegment", out var ls) && (!long.TryParse(ls, NumberStyles.None, CultureInfo.InvariantCulture, out logSegment) || logSegment < 1))
            throw new SnapshotFileException(path, "the header's log segment is invalid");
        var schemaVersion = 0;
        if (map.TryGetValue("schemaVersion", out var sv) && (!int.TryParse(sv, NumberStyles.None, CultureInfo.InvariantCulture, out schemaVersion)))
            throw new SnapshotFileException(path, "the header's schema version is invalid");
        return new SnapshotHeader(version, Get("name"), type, Get("key"), Get("keyType"), Get("objectType"),
            protection, Get("named") == "true", Get("codec"), DateTimeOffset.FromUnixTimeMilliseconds(created),
            (flags & SnapshotFormat.FlagLz4) != 0, (flags & SnapshotFormat.FlagChecksums) != 0, logSegment)
        {
            Schema = map.GetValueOrDefault("schema"),
            SchemaVersion = schemaVersion,
        };
    }
}
