using System.Diagnostics.CodeAnalysis;

namespace PersistentEts;

/// <summary>
/// Throw helpers kept out of line so that the hot paths that call them stay small enough to inline.
/// </summary>
internal static class Throw
{
    [DoesNotReturn]
    public static void Argument(string? paramName, string message) => throw new EtsArgumentException(paramName, message);

    [DoesNotReturn]
    public static void NullKey(string paramName) => throw new EtsArgumentException(paramName, "Keys may not be null.");

    [DoesNotReturn]
    public static void NullObject(string paramName) => throw new EtsArgumentException(paramName, "Stored objects may not be null.");

    [DoesNotReturn]
    public static void Destroyed(string tableName) => throw new TableDestroyedException(tableName);

    [DoesNotReturn]
    public static void Access(string message) => throw new TableAccessException(message);

    [DoesNotReturn]
    public static void WrongType(string operation, TableType type, string allowed) =>
        throw new TableTypeException(operation, type, allowed);

    [DoesNotReturn]
    public static void KeyChanged(string operation) =>
        throw new EtsArgumentException(null, $"{operation} may not change an object's key.");
}
