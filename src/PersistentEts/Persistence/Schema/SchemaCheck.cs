namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Compares the schema a file recorded with the stored type's schema now, and refuses a load that would
/// silently drop or invent data. Safe changes open without ceremony: a new member that may be null or has a
/// default (an optional constructor parameter), a member that may now be null, and widenings the default
/// codec reads losslessly (a smaller integer or float type into a larger one, <c>T</c> into <c>T?</c>).
/// Records are compared member by member, also inside arrays, collections and dictionaries.
/// </summary>
internal static class SchemaCheck
{
    /// <summary>What a check found that still allows the load.</summary>
    /// <param name="FillsDefaults">Some member the file lacks has a default, which the loader must supply (the default codec would load 0 or null).</param>
    public readonly record struct Outcome(bool FillsDefaults);

    /// <param name="path">The file, for the message.</param>
    /// <param name="inFile">The schema the file recorded.</param>
    /// <param name="root">The stored type now.</param>
    /// <param name="now">Its schema text now.</param>
    /// <param name="acceptDropped">Members (<c>Type.Member</c>, short type names) the caller agrees to drop.</param>
    public static Outcome Check(string path, string inFile, Type root, string now, IReadOnlySet<string> acceptDropped)
    {
        var comparison = new Comparison(SchemaText.Parse(inFile), SchemaText.Parse(now), SchemaText.Reachable(root), acceptDropped);
        comparison.Records(comparison.Was.Root, comparison.Is.Root);
        if (comparison.Differences.Count > 0) throw new SchemaMismatchException(path, root.Name, comparison.Differences);
        return new Outcome(comparison.FillsDefaults);
    }

    private sealed class Comparison(SchemaText was, SchemaText @is, Dictionary<string, Type> clrTypes, IReadOnlySet<string> acceptDropped)
    {
        private readonly HashSet<(string, string)> _seen = [];

        public SchemaText Was => was;

        public SchemaText Is => @is;

        public List<string> Differences { get; } = [];

        public bool FillsDefaults { get; private set; }

        /// <summary>Two record types, member by member.</summary>
        public void Records(string wasType, string isType)
        {
            if (!_seen.Add((wasType, isType))) return;
            if (!was.Types.TryGetValue(wasType, out var before) || !@is.Types.TryGetValue(isType, out var after)) return;
            var shortName = SchemaText.ShortName(isType);
            foreach (var (name, (type, _)) in before)
            {
                if (after.ContainsKey(name) || acceptDropped.Contains($"{shortName}.{name}")) continue;
                Differences.Add($"{shortName}.{name} ({SchemaText.ShortName(type)}) is in the file but not in the type: its values would be dropped " +
                                $"(accept with AcceptDroppedMembers = [\"{shortName}.{name}\"], or migrate)");
            }
            foreach (var (name, (type, nullable)) in after)
            {
                if (before.TryGetValue(name, out var old))
                {
                    Member(old.Type, type, $"{shortName}.{name}", null);
                }
                else if (SchemaText.TryGetDefault(clrTypes.GetValueOrDefault(isType), name, out _))
                {
                    FillsDefaults = true;
                }
                else if (!nullable)
                {
                    Differences.Add($"{shortName}.{name} ({SchemaText.ShortName(type)}) is required by the type but not in the file: it would load as null or default " +
                                    "(make it nullable, give it a default, or migrate)");
                }
            }
        }

        /// <summary>A member's type then and now; <paramref name="reportAs"/> is the container being compared, if inside one.</summary>
        private void Member(string wasType, string isType, string label, (string Was, string Is)? reportAs)
        {
            if (wasType == isType)
            {
                Inside(wasType, isType);
                return;
            }
            if (Widens(wasType, isType)) return;
            if (was.IsRecord(wasType) && @is.IsRecord(isType) && SchemaText.ShortName(wasType) == SchemaText.ShortName(isType))
            {
                Records(wasType, isType);
                return;
            }
            if (SchemaText.Container(wasType) is { } a && SchemaText.Container(isType) is { } b
                && SchemaText.ShortName(a.Definition) == SchemaText.ShortName(b.Definition) && a.Arguments.Count == b.Arguments.Count)
            {
                for (var i = 0; i < a.Arguments.Count; i++) Member(a.Arguments[i], b.Arguments[i], label, reportAs ?? (wasType, isType));
                return;
            }
            var (from, to) = reportAs ?? (wasType, isType);
            Differences.Add($"{label} changed type from {SchemaText.ShortName(from)} to {SchemaText.ShortName(to)}");
        }

        /// <summary>The same type name on both sides: still compare the records it holds, which may have changed.</summary>
        private void Inside(string wasType, string isType)
        {
            if (was.IsRecord(wasType)) Records(wasType, isType);
            else if (SchemaText.Container(wasType) is { } c)
                foreach (var argument in c.Arguments) Inside(argument, argument);
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
}
