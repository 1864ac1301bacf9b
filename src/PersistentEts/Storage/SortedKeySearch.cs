using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PersistentEts.Storage;

/// <summary>
/// Where a key falls in a sorted run of keys in their default order (<see cref="Comparer{T}.Default"/>):
/// the number of keys below it. For <see cref="int"/> and <see cref="long"/> keys a whole run is compared
/// at once with vector instructions; other keys take a binary search.
/// </summary>
/// <remarks>
/// Why not only binary search: a random lookup in an ordered table is bound by memory, and a binary search
/// over a leaf touches several of its cache lines one after another, each load waiting for the comparison
/// before it. Comparing every key of the leaf issues all its loads at once, so the processor waits for
/// memory about once per leaf instead of once per step; and it has no branch to mispredict. The halving
/// steps that remain (over long runs) choose their half without a branch, for the same reason.
/// </remarks>
internal static class SortedKeySearch<TKey>
{
    // Runs at most this long are compared whole; longer ones are halved down to it first.
    private const int WholeRun = 16;

    /// <summary>True when <typeparamref name="TKey"/>'s runs are compared with vector instructions.</summary>
    private static bool Vectorized =>
        Vector256.IsHardwareAccelerated && (typeof(TKey) == typeof(int) || typeof(TKey) == typeof(long));

    /// <summary>The number of keys in <paramref name="keys"/> (sorted, default order) below <paramref name="key"/>: where it is, or would be inserted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LowerBound(ReadOnlySpan<TKey> keys, TKey key)
    {
        var lo = 0;
        var n = keys.Length;
        var whole = Vectorized ? WholeRun : 1;
        while (n > whole)
        {
            var half = n >> 1;
            var below = Comparer<TKey>.Default.Compare(keys[lo + half - 1], key) < 0;
            // lo += below ? half : 0, without a branch.
            lo += half & -(int)Unsafe.BitCast<bool, byte>(below);
            n -= half;
        }
        if (Vectorized) return lo + CountBelow(keys.Slice(lo, n), key);
        if (n == 1 && Comparer<TKey>.Default.Compare(keys[lo], key) < 0) lo++;
        return lo;
    }

    /// <summary>The number of keys below <paramref name="key"/>, comparing every one (a leaf's run, for vectorized keys).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountBelow(ReadOnlySpan<TKey> keys, TKey key)
    {
        if (typeof(TKey) == typeof(int) && Vector256.IsHardwareAccelerated)
            return CountBelow(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TKey, int>(ref MemoryMarshal.GetReference(keys)), keys.Length), Unsafe.As<TKey, int>(ref key));
        if (typeof(TKey) == typeof(long) && Vector256.IsHardwareAccelerated)
            return CountBelow(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TKey, long>(ref MemoryMarshal.GetReference(keys)), keys.Length), Unsafe.As<TKey, long>(ref key));
        return LowerBound(keys, key);
    }

    private static int CountBelow<T>(ReadOnlySpan<T> keys, T key) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var probe = Vector256.Create(key);
        ref var first = ref MemoryMarshal.GetReference(keys);
        var below = 0;
        var i = 0;
        for (; i + Vector256<T>.Count <= keys.Length; i += Vector256<T>.Count)
        {
            var lower = Vector256.LessThan(Vector256.LoadUnsafe(ref first, (nuint)i), probe);
            below += System.Numerics.BitOperations.PopCount(Vector256.ExtractMostSignificantBits(lower));
        }
        for (; i < keys.Length; i++) below += keys[i] < key ? 1 : 0;
        return below;
    }
}
