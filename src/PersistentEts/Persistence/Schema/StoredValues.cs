using System.Buffers;
using MessagePack;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Reads a MessagePack value into the application-free tree a migration works on (<see cref="StoredObject"/>
/// for maps keyed by strings) and writes such a tree back, value for value.
/// </summary>
internal static class StoredValues
{
    // The same bound the default codec enforces on untrusted input.
    private const int MaxDepth = 500;

    public static object? Read(ref MessagePackReader reader, int depth = 0)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"values nest deeper than {MaxDepth} levels");
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 ? ReadUnsigned(ref reader) : reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                return reader.ReadBytes()?.ToArray();
            case MessagePackType.Extension:
                if (reader.TryReadExtensionFormatHeader(out var header) && header.TypeCode == ReservedMessagePackExtensionTypeCode.DateTime)
                    return reader.ReadDateTime(header);
                throw new InvalidDataException($"extension type {header.TypeCode} has no stored-value form");
            case MessagePackType.Array:
                var length = reader.ReadArrayHeader();
                var list = new List<object?>(Math.Min(length, 1024));
                for (var i = 0; i < length; i++) list.Add(Read(ref reader, depth + 1));
                return list;
            case MessagePackType.Map:
                return ReadMap(ref reader, depth);
            default:
                throw new InvalidDataException($"unexpected MessagePack code 0x{reader.NextCode:x2}");
        }
    }

    private static object ReadUnsigned(ref MessagePackReader reader)
    {
        var value = reader.ReadUInt64();
        return value <= long.MaxValue ? (long)value : value;
    }

    private static object ReadMap(ref MessagePackReader reader, int depth)
    {
        var count = reader.ReadMapHeader();
        var members = new StoredObject();
        Dictionary<object, object?>? other = null;
        for (var i = 0; i < count; i++)
        {
            var key = Read(ref reader, depth + 1) ?? throw new InvalidDataException("a map has a nil key");
            var value = Read(ref reader, depth + 1);
            if (other is null && key is string name)
            {
                members[name] = value;
                continue;
            }
            // Not a record: keep every key as it is.
            other ??= members.ToDictionary(p => (object)p.Key, p => p.Value);
            other[key] = value;
        }
        return (object?)other ?? members;
    }

    public static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case bool b:
                writer.Write(b);
                break;
            case long l:
                writer.Write(l);
                break;
            case ulong u:
                writer.Write(u);
                break;
            case double d:
                writer.Write(d);
                break;
            case string s:
                writer.Write(s);
                break;
            case byte[] bytes:
                writer.Write(bytes);
                break;
            case DateTime time:
                writer.Write(time);
                break;
            case StoredObject members:
                writer.WriteMapHeader(members.Count);
                foreach (var (name, member) in members)
                {
                    writer.Write(name);
                    Write(ref writer, member);
                }
                break;
            case List<object?> list:
                writer.WriteArrayHeader(list.Count);
                foreach (var item in list) Write(ref writer, item);
                break;
            case Dictionary<object, object?> map:
                writer.WriteMapHeader(map.Count);
                foreach (var (key, item) in map)
                {
                    Write(ref writer, key);
                    Write(ref writer, item);
                }
                break;
            default:
                // Whatever a migration put in that is not a stored-value form: as the default codec writes it.
                MessagePackSerializer.Serialize(value.GetType(), ref writer, value, DefaultCodecOptions.Options);
                break;
        }
    }

    /// <summary>Encodes a tree to bytes.</summary>
    public static byte[] Encode(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
