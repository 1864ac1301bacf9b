namespace PersistentEts.Persistence;

/// <summary>
/// One stored object as the file holds it, without the application's types: its members by name, as
/// <c>pets dump</c> prints them. Migrations (<see cref="SchemaMigration"/>) change these maps. Values are
/// <c>null</c>, <see cref="bool"/>, <see cref="long"/> (every integer; <see cref="ulong"/> above
/// <see cref="long.MaxValue"/>), <see cref="double"/>, <see cref="string"/>, <c>byte[]</c>,
/// <see cref="DateTime"/>, a nested <see cref="StoredObject"/>, a <c>List&lt;object?&gt;</c>, or a
/// <c>Dictionary&lt;object, object?&gt;</c> for maps whose keys are not all strings. A migration may also
/// set any value the default codec can encode (an <see cref="int"/>, a record).
/// </summary>
public sealed class StoredObject : Dictionary<string, object?>
{
    /// <summary>An empty object.</summary>
    public StoredObject() : base(StringComparer.Ordinal) { }

    /// <summary>
    /// Moves member <paramref name="from"/>'s value to <paramref name="to"/>. Does nothing when
    /// <paramref name="from"/> is absent; refuses to overwrite an existing <paramref name="to"/>.
    /// </summary>
    public void Rename(string from, string to)
    {
        if (!Remove(from, out var value)) return;
        if (!TryAdd(to, value))
        {
            this[from] = value;
            throw new EtsArgumentException(nameof(to), $"Cannot rename member '{from}' to '{to}': the object already has '{to}'.");
        }
    }

    /// <summary>The nested object at <paramref name="member"/>, or null when it is absent or not an object.</summary>
    public StoredObject? Nested(string member) => TryGetValue(member, out var value) ? value as StoredObject : null;
}
