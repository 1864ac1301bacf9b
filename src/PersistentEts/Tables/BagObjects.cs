using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PersistentEts.Tables;

/// <summary>
/// The objects a <c>bag</c> or <c>duplicate_bag</c> holds under one key, stored inside the hash table's
/// node: the object itself when the key holds one (most keys do, and then a lookup follows no more
/// references than a set's), an immutable array when it holds several.
/// </summary>
/// <remarks>
/// Never empty: a key whose last object goes is removed from the table. Immutable, like the node that
/// holds it, so a lock-free reader sees a key's objects entirely before or after a write.
/// </remarks>
internal readonly struct BagObjects<TObject>
{
    // The key's objects are _many when it is not null (two or more, in insertion order), otherwise _one
    // alone. _many is never changed after it is published.
    private readonly TObject _one;
    private readonly TObject[]? _many;

    private BagObjects(TObject one, TObject[]? many)
    {
        _one = one;
        _many = many;
    }

    /// <summary>A key's objects: <paramref name="objects"/>, at least one, copied.</summary>
    public static BagObjects<TObject> Of(ReadOnlySpan<TObject> objects) =>
        objects.Length == 1 ? new(objects[0], null) : new(default!, objects.ToArray());

    /// <summary>A key's single object.</summary>
    public static BagObjects<TObject> Of(TObject one) => new(one, null);

    /// <summary>How many objects the key holds.</summary>
    public int Count => _many?.Length ?? 1;

    /// <summary>The oldest object.</summary>
    public TObject First => _many is null ? _one : _many[0];

    /// <summary>The objects, in insertion order, as a span over <paramref name="objects"/> (no copy).</summary>
    public static ReadOnlySpan<TObject> Span(ref BagObjects<TObject> objects) =>
        objects._many ?? MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in objects._one), 1);

    /// <summary>These objects followed by <paramref name="obj"/>.</summary>
    public BagObjects<TObject> With(TObject obj) => new(default!, _many is null ? [_one, obj] : [.. _many, obj]);
}
