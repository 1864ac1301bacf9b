using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// The shape of a stored type as a file records it: for the stored type and every record type reachable
/// from it, its members (the public properties and fields the default codec writes, by name) with their
/// types and nullability. Kept as JSON text, readable by tools without the application's types:
/// <c>{"root":"Ns.Row","types":{"Ns.Row":[{"name":"Id","type":"System.Int32","nullable":false}, …]}}</c>.
/// </summary>
internal static class TypeSchema
{
    /// <summary>One member of a recorded type.</summary>
    internal sealed record Member(string Name, string Type, bool Nullable);

    /// <summary>The schema text of <paramref name="root"/>.</summary>
    public static string Describe(Type root)
    {
        var types = new SortedDictionary<string, List<Member>>(StringComparer.Ordinal);
        Visit(root, types, new NullabilityInfoContext());
        using var buffer = new MemoryStream();
        // Relaxed escaping: the text is for people and tools reading the file, not for embedding in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("root", Snapshot.TypeName(root));
            json.WriteStartObject("types");
            foreach (var (name, members) in types)
            {
                json.WriteStartArray(name);
                foreach (var m in members)
                {
                    json.WriteStartObject();
                    json.WriteString("name", m.Name);
                    json.WriteString("type", m.Type);
                    json.WriteBoolean("nullable", m.Nullable);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Visit(Type type, SortedDictionary<string, List<Member>> types, NullabilityInfoContext nullability)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        foreach (var inner in ElementTypes(type)) Visit(inner, types, nullability);
        if (!IsRecordLike(type) || types.ContainsKey(Snapshot.TypeName(type))) return;
        var members = new List<Member>();
        types[Snapshot.TypeName(type)] = members; // before recursing, so a type that refers to itself ends
        foreach (var (name, memberType, nullable) in MembersOf(type, nullability))
        {
            members.Add(new Member(name, Snapshot.TypeName(memberType), nullable));
            Visit(memberType, types, nullability);
        }
    }

    /// <summary>What the default (contractless) codec writes: public readable instance properties and public fields, by name.</summary>
    internal static IEnumerable<(string Name, Type Type, bool Nullable)> MembersOf(Type type, NullabilityInfoContext nullability)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        foreach (var p in type.GetProperties(flags).Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && !Ignored(p)))
            yield return (p.Name, p.PropertyType, IsNullable(p.PropertyType, () => nullability.Create(p).ReadState));
        foreach (var f in type.GetFields(flags).Where(f => !Ignored(f)))
            yield return (f.Name, f.FieldType, IsNullable(f.FieldType, () => nullability.Create(f).ReadState));
    }

    private static bool Ignored(MemberInfo m) =>
        m.GetCustomAttributes(inherit: true).Any(a => a.GetType().Name is "IgnoreMemberAttribute" or "IgnoreDataMemberAttribute");

    private static bool IsNullable(Type t, Func<NullabilityState> state) =>
        t.IsValueType ? Nullable.GetUnderlyingType(t) is not null : state() != NullabilityState.NotNull;

    /// <summary>Element, key and value types of arrays, collections and dictionaries.</summary>
    private static IEnumerable<Type> ElementTypes(Type type)
    {
        if (type.IsArray) return [type.GetElementType()!];
        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type)) return type.GetGenericArguments();
        return [];
    }

    /// <summary>A type the codec writes member by member: not a primitive, string, enum, collection or framework type.</summary>
    internal static bool IsRecordLike(Type type) =>
        !type.IsPrimitive && !type.IsEnum && type != typeof(string) && type != typeof(decimal) && !type.IsArray
        && !typeof(IEnumerable).IsAssignableFrom(type) && !(type.Namespace ?? "").StartsWith("System", StringComparison.Ordinal);
}

/// <summary>The schema text of <typeparamref name="T"/>, described once per type; null when reflection cannot describe it.</summary>
internal static class SchemaOf<T>
{
    public static readonly string? Text = TryDescribe();

    private static string? TryDescribe()
    {
        try
        {
            return TypeSchema.Describe(typeof(T));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or TypeLoadException)
        {
            return null; // a file without a schema, as before version 2, rather than no file
        }
    }
}
