using System.Reflection;
using System.Text.Json;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// A schema as <see cref="TypeSchema"/> writes it, parsed, with the helpers that read its recorded type
/// names (<c>System.Collections.Generic.List&lt;Ns.Address&gt;</c>, <c>Ns.Row[]</c>) without the types.
/// </summary>
/// <param name="Root">The stored type's recorded name.</param>
/// <param name="Types">Each record type's members: name → (recorded type name, may be null).</param>
internal sealed record SchemaText(string Root, Dictionary<string, Dictionary<string, (string Type, bool Nullable)>> Types)
{
    public static SchemaText Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var types = new Dictionary<string, Dictionary<string, (string, bool)>>(StringComparer.Ordinal);
        foreach (var t in doc.RootElement.GetProperty("types").EnumerateObject())
        {
            types[t.Name] = t.Value.EnumerateArray().ToDictionary(
                m => m.GetProperty("name").GetString()!,
                m => (m.GetProperty("type").GetString()!, m.GetProperty("nullable").GetBoolean()), StringComparer.Ordinal);
        }
        return new SchemaText(doc.RootElement.GetProperty("root").GetString()!, types);
    }

    public bool IsRecord(string typeName) => Types.ContainsKey(typeName);

    /// <summary>A container's definition and arguments: <c>("[]", [element])</c> for arrays, <c>("Ns.List", [args])</c> for generics; null otherwise.</summary>
    public static (string Definition, List<string> Arguments)? Container(string typeName)
    {
        if (typeName.EndsWith("[]", StringComparison.Ordinal)) return ("[]", [typeName[..^2]]);
        var open = typeName.IndexOf('<', StringComparison.Ordinal);
        if (open < 0 || !typeName.EndsWith('>')) return null;
        var arguments = new List<string>();
        int depth = 0, start = open + 1;
        for (var i = start; i < typeName.Length - 1; i++)
        {
            if (typeName[i] == '<') depth++;
            else if (typeName[i] == '>') depth--;
            else if (typeName[i] == ',' && depth == 0)
            {
                arguments.Add(typeName[start..i]);
                start = i + 1;
            }
        }
        arguments.Add(typeName[start..^1]);
        return (typeName[..open], arguments);
    }

    /// <summary>A recorded name without namespaces, generic arguments included: <c>List&lt;Int32&gt;</c>.</summary>
    public static string ShortName(string typeName)
    {
        if (Container(typeName) is { } c)
            return c.Definition == "[]" ? ShortName(c.Arguments[0]) + "[]" : $"{ShortName(c.Definition)}<{string.Join(",", c.Arguments.Select(ShortName))}>";
        var lastDot = typeName.LastIndexOfAny(['.', '+']);
        return lastDot < 0 ? typeName : typeName[(lastDot + 1)..];
    }

    /// <summary>Whether the record type has <paramref name="member"/> as an optional constructor parameter (so a default to load).</summary>
    public static bool TryGetDefault(Type? type, string member, out object? value)
    {
        value = null;
        if (type is null) return false;
        var parameter = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(c => c.GetParameters())
            .FirstOrDefault(p => string.Equals(p.Name, member, StringComparison.OrdinalIgnoreCase) && p.HasDefaultValue);
        if (parameter is null) return false;
        value = parameter.DefaultValue;
        return true;
    }

    /// <summary>The types reachable from <paramref name="root"/> through members and generic or element types, by recorded name.</summary>
    public static Dictionary<string, Type> Reachable(Type root)
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
}
