using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PersistentEts.Storage;

/// <summary>
/// A growable run of objects for passes that copy many of them (a snapshot's capture). Unlike
/// <see cref="List{T}"/>, storing an object does not check its type against the array's: that check reads
/// the object's header, a cache miss per object when objects are spread over the heap, and it cost a save
/// as much as encoding did.
/// </summary>
/// <remarks>Its arrays come from the shared pool (a save's runs are large): dispose it to give them back.</remarks>
internal sealed class ObjectRun<T> : IDisposable
{
    // Always a T[] made by the pool for T, never a covariant array of a derived type, which is what makes
    // the unchecked stores in Add sound. Entries at Count and beyond are default.
    private T[] _items;

    public ObjectRun(int capacity = 16) => _items = Rent(Math.Max(capacity, 4));

    // Anyone may return an array to the shared pool, a covariant one too (a string[] to the pool of
    // object): only an array of exactly T[] is kept.
    private static T[] Rent(int length)
    {
        var array = ArrayPool<T>.Shared.Rent(length);
        return array.GetType() == typeof(T[]) ? array : new T[length];
    }

    /// <summary>Objects in the run.</summary>
    public int Count { get; private set; }

    public void Add(T item)
    {
        if (Count == _items.Length) Grow();
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_items), Count++) = item;
    }

    /// <summary>Appends <paramref name="items"/>, in order.</summary>
    public void AddRange(ReadOnlySpan<T> items)
    {
        while (Count + items.Length > _items.Length) Grow();
        // _items is exactly a T[] (see the field), so the span over it passes the covariance check.
        items.CopyTo(_items.AsSpan(Count));
        Count += items.Length;
    }

    private void Grow()
    {
        var grown = Rent(_items.Length * 2);
        _items.AsSpan(0, Count).CopyTo(grown);
        _items.AsSpan(0, Count).Clear();
        ArrayPool<T>.Shared.Return(_items);
        _items = grown;
    }

    /// <summary>Gives the array back to the pool, emptied; the run must not be used afterwards.</summary>
    public void Dispose()
    {
        Clear();
        ArrayPool<T>.Shared.Return(_items);
        _items = [];
    }

    /// <summary>The objects, valid until the next change.</summary>
    public ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    /// <summary>Empties the run, dropping its references.</summary>
    public void Clear()
    {
        _items.AsSpan(0, Count).Clear();
        Count = 0;
    }
}
