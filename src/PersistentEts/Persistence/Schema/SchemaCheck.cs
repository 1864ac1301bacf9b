using System.Reflection;
using System.Text.Json;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Compares the schema a snapshot recorded with the stored type's schema now, and refuses a load that
/// would silently drop or invent data. Safe changes open without ceremony: a new member that may be null
/// or has a default (an optional constructor parameter), a member that may now be null, and widenings the
/// default codec reads losslessly (a smaller integer or float type into a larger one, <c>T</c> into
/// <c>T?</c>).
/// </summary>
internal static class SchemaCheck
{
    /// <param name="path">The file, for the message.</param>
    /// <param name="inFile">The schema the file recorded.</param>
    /// <param name="root">The stored type now.</param>
    /// <param name="now">Its schema text now.</param>
    /// <param name="acceptDropped">Members (<c>Type.Member</c>, short type names) the caller agrees to drop.</param>
    public static void Check(string path, string inFile, Type root, string now, IReadOnlySet<string> acceptDropped)
    {
        var was = Parse(inFile);
        var @is = Parse(now);
        var differences = new List<string>();
        Compare(was.Root, @is.Root, was, @is, Reachable(root), acceptDropped, differences, []);
        if (differences.Count > 0) throw new SchemaMismatchException(path, root.Name, differences);
    }

    /// <summary>A parsed schema: the root type's recorded name and each record type's members.</summary>
    internal sealed record Parsed(string Root, Dictionary<string, Dictionary<string, (string Type, bool Nullable)>> Types);

    /// <summary>The type now, parsed once for checking objects one by one (after a migration).</summary>
    internal sealed record Target(Parsed Schema, Dictionary<string, Type> ClrTypes, IReadOnlySet<string> AcceptDropped)
    {
        public static Target Of(Type root, string now, IReadOnlySet<string> acceptDropped) => new(Parse(now), Reachable(root), acceptDropped);
    }

    /// <summary>
    /// The differences between one migrated object's members and the type now, by the rules of
    /// <see cref="Check"/>: members the object has and the type lacks are dropped data, members the type
    /// requires and the object lacks would load as null. Nested objects are compared with their record types.
    /// </summary>
    public static List<string> ObjectDifferences(StoredObject obj, Target target)
    {
        var differences = new List<string>();
        CompareObject(obj, target.Schema.Root, target, differences, 0);
        return differences;
    }

    private static void CompareObject(StoredObject obj, string typeName, Target target, List<string> differences, int depth)
    {
        if (depth > 64 || !target.Schema.Types.TryGetValue(typeName, out var members)) return;
        var shortName = ShortName(typeName);
        foreach (var name in obj.Keys)
        {
            if (!members.ContainsKey(name) && !target.AcceptDropped.Contains($"{shortName}.{name}"))
                differences.Add($"{shortName}.{name} is in the migrated object but not in the type: its value would be dropped " +
                                $"(remove it in the migration, or accept with AcceptDroppedMembers = [\"{shortName}.{name}\"])");
        }
        foreach (var (name, (type, nullable)) in members)
        {
            if (!obj.TryGetValue(name, out var value))
            {
                if (!nullable && !HasDefault(target.ClrTypes.GetValueOrDefault(typeName), name))
                    differences.Add($"{shortName}.{name} ({ShortName(type)}) is required by the type but not in the migrated object: it would load as null or default");
                continue;
            }
            var recordType = type.StartsWith("System.Nullable<", StringComparison.Ordinal) ? type["System.Nullable<".Length..^1] : type;
            if (value is StoredObject nested) CompareObject(nested, recordType, target, differences, depth + 1);
        }
    }

    private static Parsed Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var types = new Dictionary<string, Dictionary<string, (string, bool)>>(StringComparer.Ordinal);
        foreach (var t in doc.RootElement.GetProperty("types").EnumerateObject())
        {
            types[t.Name] = t.Value.EnumerateArray().ToDictionary(
                m => m.GetProperty("name").GetString()!,
                m => (m.GetProperty("type").GetString()!, m.GetProperty("nullable").GetBoolean()), StringComparer.Ordinal);
        }
        return new Parsed(doc.RootElement.GetProperty("root").GetString()!, types);
    }

    private static void Compare(string wasType, string isType, Parsed was, Parsed @is, Dictionary<string, Type> clrTypes,
        IReadOnlySet<string> acceptDropped, List<string> differences, HashSet<string> seen)
    {
        if (!seen.Add(wasType + "|" + isType)) return;
        if (!was.Types.TryGetValue(wasType, out var before) || !@is.Types.TryGetValue(isType, out var after)) return;
        var shortName = ShortName(isType);
        foreach (var (name, (type, _)) in before)
        {
            if (after.ContainsKey(name)) continue;
            if (!acceptDropped.Contains($"{shortName}.{name}"))
                differences.Add($"{shortName}.{name} ({ShortName(type)}) is in the file but not in the type: its values would be dropped " +
                                $"(accept with AcceptDroppedMembers = [\"{shortName}.{name}\"], or migrate)");
        }
        foreach (var (name, (type, nullable)) in after)
        {
            if (before.TryGetValue(name, out var old))
            {
                if (old.Type != type && !Widens(old.Type, type))
                {
                    if (was.Types.ContainsKey(old.Type) && @is.Types.ContainsKey(type) && ShortName(old.Type) == ShortName(type))
                        Compare(old.Type, type, was, @is, clrTypes, acceptDropped, differences, seen);
                    else
                        differences.Add($"{shortName}.{name} changed type from {ShortName(old.Type)} to {ShortName(type)}");
                }
                else if (old.Type == type)
                {
                    Compare(old.Type, type, was, @is, clrTypes, acceptDropped, differences, seen);
                }
                continue;
            }
            if (!nullable && !HasDefault(clrTypes.GetValueOrDefault(isType), name))
                differences.Add($"{shortName}.{name} ({ShortName(type)}) is required by the type but not in the file: it would load as null or default " +
                                "(make it nullable, give it a default, or migrate)");
        }
    }

    // Losslessly read by the default codec: MessagePack integers and floats carry their value, not their width.
    private static readonly HashSet<(string, string)> s_widenings =
    [
        ("System.Byte", "System.Int16"), ("System.Byte", "System.Int32"), ("System.Byte", "System.Int64"),
        ("System.Int16", "System.Int32"), ("System.Int16", "System.Int64"), ("System.Int32", "System.Int64"),
        ("System.UInt16", "System.UInt32"), ("System.UInt16", "System.UInt64"), ("System.UInt32", "System.UInt64"),
        ("System.UInt16", "System.Int32"), ("System.UInt32", "System.Int64"), ("System.Single", "System.Double"),
    ];

    private static bool Widens(string from, string to) =>
        s_widenings.Contains((from, to)) || to == $"System.Nullable<{from}>"
        || (to.StartsWith("System.Nullable<", StringComparison.Ordinal) && s_widenings.Contains((from, to["System.Nullable<".Length..^1])));

    /// <summary>Whether the new member is an optional constructor parameter of the record (so it has a default).</summary>
    private static bool HasDefault(Type? type, string member)
    {
        if (type is null) return false;
        return type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(c => c.GetParameters())
            .Any(p => string.Equals(p.Name, member, StringComparison.OrdinalIgnoreCase) && p.HasDefaultValue);
    }

    /// <summary>The types reachable from <paramref name="root"/> through members and generic or element types, by recorded name.</summary>
    private static Dictionary<string, Type> Reachable(Type root)
    {
        var found = new Dictionary<string, Type>(StringComparer.Ordinal);
        var pending = new Stack<Type>([root]);
        while (pending.Count > 0)
        {
            var t = pending.Pop();
            if (!found.TryAdd(Snapshot.TypeName(t), t) || t.IsPrimitive || t == typeof(string)) continue;
            if (t.IsArray) pending.Push(t.GetElementType()!);
            foreach (var g in t.IsGenericType ? t.GetGenericArguments() : []) pending.Push(g);
            if ((t.Namespace ?? "").StartsWith("System", StringComparison.Ordinal)) continue;
            foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance)) pending.Push(p.PropertyType);
            foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance)) pending.Push(f.FieldType);
        }
        return found;
    }

    private static string ShortName(string typeName)
    {
        var generic = typeName.IndexOf('<', StringComparison.Ordinal);
        var head = generic < 0 ? typeName : typeName[..generic];
        var lastDot = head.LastIndexOfAny(['.', '+']);
        return lastDot < 0 ? typeName : typeName[(lastDot + 1)..];
    }
}
