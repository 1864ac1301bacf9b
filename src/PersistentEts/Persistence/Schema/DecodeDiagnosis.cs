using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Reflection;
using MessagePack;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Explains why a well-formed stored object cannot be decoded as the type asked for, by finding the
/// member whose stored value does not fit: <c>Row.Count holds a string ("ten") where Int32 is expected</c>.
/// Walks the stored map beside the type's members, into nested records and collection elements.
/// </summary>
internal static class DecodeDiagnosis
{
    private const int MaxDepth = 64;

    /// <summary>
    /// The failure to report for an object that <paramref name="codec"/> could not read: a
    /// <see cref="SchemaMismatchException"/> naming the member when the codec is the default one (or a
    /// migration reading through it) and the bytes are well-formed MessagePack; null otherwise (the caller
    /// reports the failure as before). Another codec's bytes are not MessagePack maps, whatever schema it supplies.
    /// </summary>
    public static SchemaMismatchException? Mismatch<TObject>(string path, ReadOnlyMemory<byte> stored, IObjectCodec<TObject> codec,
        string where, Exception failure)
    {
        if (codec.Id != DefaultCodecOptions.CodecId || !IsWellFormed(stored)) return null;
        var reader = new MessagePackReader(stored);
        string? found;
        try
        {
            found = Explain(ref reader, typeof(TObject), typeof(TObject).Name, 0);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidOperationException or EndOfStreamException)
        {
            found = null;
        }
        return new SchemaMismatchException(path, typeof(TObject).Name,
            [$"{where}: {found ?? $"cannot be decoded as {typeof(TObject).Name} ({failure.Message})"}"]);
    }

    private static bool IsWellFormed(ReadOnlyMemory<byte> stored)
    {
        try
        {
            var reader = new MessagePackReader(stored);
            reader.Skip();
            return true;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string? Explain(ref MessagePackReader reader, Type type, string path, int depth)
    {
        if (depth > MaxDepth) return null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (reader.NextMessagePackType == MessagePackType.Map && TypeSchema.IsRecordLike(underlying))
        {
            var members = MembersOf(underlying);
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
                if (key is null) reader.Skip();
                var value = reader.ReadRaw();
                if (key is null || !members.TryGetValue(key, out var memberType)) continue;
                var inner = new MessagePackReader(value);
                if (Explain(ref inner, memberType, $"{path}.{key}", depth + 1) is { } found) return found;
            }
            return null;
        }
        if (reader.NextMessagePackType == MessagePackType.Array && ElementType(underlying) is { } element)
        {
            var count = reader.ReadArrayHeader();
            for (var i = 0; i < count; i++)
            {
                var item = reader.ReadRaw();
                var inner = new MessagePackReader(item);
                if (Explain(ref inner, element, $"{path}[{i}]", depth + 1) is { } found) return found;
            }
            return Fits(reader.Sequence, type) ? null : $"{path} holds an array where {Snapshot.TypeName(type)} is expected";
        }
        var raw = reader.ReadRaw();
        return Fits(raw, type) ? null : $"{path} holds {Describe(raw)} where {Snapshot.TypeName(type)} is expected";
    }

    private static bool Fits(ReadOnlySequence<byte> raw, Type type)
    {
        try
        {
            MessagePackSerializer.Deserialize(type, raw, DefaultCodecOptions.Options);
            return true;
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
    }

    private static string Describe(ReadOnlySequence<byte> raw)
    {
        var reader = new MessagePackReader(raw);
        return reader.NextMessagePackType switch
        {
            MessagePackType.Nil => "nil",
            MessagePackType.Boolean => $"a boolean ({(reader.ReadBoolean() ? "true" : "false")})",
            MessagePackType.Integer => $"an integer ({(reader.NextCode == MessagePackCode.UInt64 ? reader.ReadUInt64().ToString(CultureInfo.InvariantCulture) : reader.ReadInt64().ToString(CultureInfo.InvariantCulture))})",
            MessagePackType.Float => $"a float ({reader.ReadDouble().ToString(CultureInfo.InvariantCulture)})",
            MessagePackType.String => $"a string (\"{Abbreviate(reader.ReadString() ?? "")}\")",
            MessagePackType.Binary => "binary data",
            MessagePackType.Array => "an array",
            MessagePackType.Map => "a map",
            _ => "an extension value",
        };
    }

    private static string Abbreviate(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type == typeof(string) || !type.IsGenericType || !typeof(IEnumerable).IsAssignableFrom(type)) return null;
        var arguments = type.GetGenericArguments();
        return arguments.Length == 1 ? arguments[0] : null;
    }

    /// <summary>The members the default codec writes, as the schema records them.</summary>
    private static Dictionary<string, Type> MembersOf(Type type)
    {
        var members = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var (name, memberType, _) in TypeSchema.MembersOf(type, new NullabilityInfoContext())) members.TryAdd(name, memberType);
        return members;
    }
}
