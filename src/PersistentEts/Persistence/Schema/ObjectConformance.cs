namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Brings one stored object, as a member map, to the type now, by the rules of <see cref="SchemaCheck"/>:
/// a member the type has with a default and the object lacks gets the default (the default codec would
/// load 0 or null); members the object has and the type lacks are dropped data, and members the type
/// requires and the object lacks would be invented, so both are reported. Nested records are followed,
/// also inside arrays, collections and dictionaries.
/// </summary>
/// <param name="Schema">The type's schema now.</param>
/// <param name="ClrTypes">The types reachable from the stored type, by recorded name.</param>
/// <param name="AcceptDropped">Members the caller agreed to drop, as <c>Type.Member</c>.</param>
internal sealed record ObjectConformance(SchemaText Schema, Dictionary<string, Type> ClrTypes, IReadOnlySet<string> AcceptDropped)
{
    public static ObjectConformance Of(Type root, string now, IReadOnlySet<string> acceptDropped) =>
        new(SchemaText.Parse(now), SchemaText.Reachable(root), acceptDropped);

    /// <summary>Fills defaults into <paramref name="obj"/> and returns what still differs (empty when it loads as it is).</summary>
    public List<string> Conform(StoredObject obj)
    {
        var differences = new List<string>();
        Record(obj, Schema.Root, differences, 0);
        return differences;
    }

    private const int MaxDepth = 64;

    private void Record(StoredObject obj, string typeName, List<string> differences, int depth)
    {
        if (depth > MaxDepth || !Schema.Types.TryGetValue(typeName, out var members)) return;
        var shortName = SchemaText.ShortName(typeName);
        foreach (var name in obj.Keys)
        {
            if (!members.ContainsKey(name) && !AcceptDropped.Contains($"{shortName}.{name}"))
                differences.Add($"{shortName}.{name} is in the object but not in the type: its value would be dropped " +
                                $"(remove it in a migration, or accept with AcceptDroppedMembers = [\"{shortName}.{name}\"])");
        }
        foreach (var (name, (type, nullable)) in members)
        {
            if (obj.TryGetValue(name, out var value))
            {
                Value(value, type, differences, depth + 1);
            }
            else if (SchemaText.TryGetDefault(ClrTypes.GetValueOrDefault(typeName), name, out var fallback))
            {
                obj[name] = fallback;
            }
            else if (!nullable)
            {
                differences.Add($"{shortName}.{name} ({SchemaText.ShortName(type)}) is required by the type but not in the object: it would load as null or default");
            }
        }
    }

    /// <summary>A member's value, read by its declared type: records are compared, containers followed.</summary>
    private void Value(object? value, string declaredType, List<string> differences, int depth)
    {
        if (value is null || depth > MaxDepth) return;
        if (SchemaText.Container(declaredType) is { Definition: "System.Nullable" } nullable) declaredType = nullable.Arguments[0];
        if (Schema.IsRecord(declaredType))
        {
            if (value is StoredObject record) Record(record, declaredType, differences, depth);
            return;
        }
        if (SchemaText.Container(declaredType) is not { } container) return;
        var element = container.Arguments[^1]; // the element, or a dictionary's value
        IEnumerable<object?> items = value switch
        {
            List<object?> list => list,
            StoredObject map when container.Arguments.Count == 2 => map.Values,
            Dictionary<object, object?> map => map.Values,
            _ => [],
        };
        foreach (var item in items) Value(item, element, differences, depth + 1);
    }
}
