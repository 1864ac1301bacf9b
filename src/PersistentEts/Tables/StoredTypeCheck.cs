using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace PersistentEts.Tables;

/// <summary>
/// Refuses stored types that can be changed in place. ETS copies objects in and out, so nothing a caller
/// does to its copy changes the table; .NET tables store references, so the same promise holds only for
/// objects that cannot change. This check catches the common mistakes (settable properties, writable
/// fields, arrays); it cannot see inside collections or arrays held by an otherwise immutable record.
/// </summary>
internal static class StoredTypeCheck
{
    private static readonly ConcurrentDictionary<Type, string?> s_verdicts = new();

    public static void EnsureImmutable(Type type)
    {
        var problem = s_verdicts.GetOrAdd(type, Find);
        if (problem is not null)
        {
            throw new EtsArgumentException("TObject",
                $"Type {type.Name} can be changed after it is stored ({problem}). Store immutable types such as records " +
                "with init-only properties, or set TableOptions.AllowMutableObjects to take responsibility.");
        }
    }

    private static string? Find(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)) return null;
        if (type.IsArray) return "it is an array";
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)) return null;
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!field.IsInitOnly) return $"public field '{field.Name}' is writable";
        }
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var setter = prop.SetMethod;
            if (setter is { IsPublic: true } && !IsInitOnly(setter)) return $"property '{prop.Name}' has a public setter";
        }
        return null;
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
}
