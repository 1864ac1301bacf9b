using System.Diagnostics.CodeAnalysis;

namespace PersistentEts;

/// <summary>
/// The read operations of an ETS table. This is what a non-owner gets for a
/// <see cref="TableProtection.Protected"/> table: the type itself has no write members.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TObject">The stored object type.</typeparam>
/// <remarks>
/// Every read is safe while other threads write. A single-key read sees a key's state either before or
/// after any write, never between, and never half of a batch insert. Traversals (folds, selects,
/// first/next) do not block writers; each object that lives through the whole traversal is seen exactly
/// once, objects written meanwhile may or may not be seen (ETS's guarantee under <c>safe_fixtable</c>).
/// </remarks>
public interface IReadOnlyEtsTable<TKey, TObject> where TKey : notnull
{
    /// <summary>The table's current name.</summary>
    string Name { get; }

    /// <summary>The table type.</summary>
    TableType Type { get; }

    /// <summary>Number of objects (ETS <c>info(T, size)</c>).</summary>
    long Count { get; }

    /// <summary>ETS <c>lookup/2</c>: the objects stored under <paramref name="key"/>, empty when none (bags in insertion order).</summary>
    IReadOnlyList<TObject> Lookup(TKey key);

    /// <summary>The object stored under <paramref name="key"/> (for bags, the first one); false when none.</summary>
    bool TryLookup(TKey key, [MaybeNullWhen(false)] out TObject obj);

    /// <summary>ETS <c>lookup_element/3</c>: a projection of each object under the key; throws <see cref="EtsKeyNotFoundException"/> when there is none.</summary>
    IReadOnlyList<TResult> LookupElement<TResult>(TKey key, Func<TObject, TResult> projection);

    /// <summary>ETS <c>lookup_element/4</c>: as <see cref="LookupElement{TResult}(TKey, Func{TObject, TResult})"/>, but returns <paramref name="defaultValue"/> alone when the key is absent.</summary>
    IReadOnlyList<TResult> LookupElement<TResult>(TKey key, Func<TObject, TResult> projection, TResult defaultValue);

    /// <summary>ETS <c>member/2</c>: whether any object has this key.</summary>
    bool Contains(TKey key);

    /// <summary>ETS <c>first/1</c>: the first key (smallest for ordered_set); false on an empty table (<c>'$end_of_table'</c>).</summary>
    bool TryFirst([MaybeNullWhen(false)] out TKey key);

    /// <summary>ETS <c>last/1</c>: the largest key of an ordered_set; on hashed tables the same as <see cref="TryFirst"/>.</summary>
    bool TryLast([MaybeNullWhen(false)] out TKey key);

    /// <summary>
    /// ETS <c>next/2</c>: the key after <paramref name="key"/>. Works for keys that were deleted meanwhile
    /// (ordered_set: the next larger key; hashed tables: the next key in the stable walk order).
    /// </summary>
    bool TryNext(TKey key, [MaybeNullWhen(false)] out TKey next);

    /// <summary>ETS <c>prev/2</c>: the key before <paramref name="key"/> in an ordered_set; on hashed tables the same as <see cref="TryNext"/>.</summary>
    bool TryPrev(TKey key, [MaybeNullWhen(false)] out TKey prev);

    /// <summary>ETS <c>foldl/3</c>: folds over every object, in key order for ordered_set.</summary>
    TAcc FoldLeft<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder);

    /// <summary>ETS <c>foldr/3</c>: folds in reverse key order for ordered_set; as <see cref="FoldLeft{TAcc}"/> otherwise.</summary>
    TAcc FoldRight<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder);

    /// <summary>ETS <c>tab2list/1</c>: every object, in key order for ordered_set.</summary>
    List<TObject> ToList();

    /// <summary>ETS <c>match_object/2</c> / <c>select/2</c> returning whole objects: every object <paramref name="where"/> accepts.</summary>
    IReadOnlyList<TObject> Select(Func<TObject, bool> where);

    /// <summary>ETS <c>select/2</c>: a projection of every object <paramref name="where"/> accepts.</summary>
    IReadOnlyList<TResult> Select<TResult>(Func<TObject, bool> where, Func<TObject, TResult> selector);

    /// <summary>ETS <c>select/2</c> with a compiled <see cref="MatchSpec{TObject, TResult}"/>.</summary>
    IReadOnlyList<TResult> Select<TResult>(MatchSpec<TObject, TResult> spec);

    /// <summary>ETS <c>select/3</c>: the first page of at most <paramref name="limit"/> results, with a continuation.</summary>
    SelectPage<TResult> Select<TResult>(MatchSpec<TObject, TResult> spec, int limit);

    /// <summary>ETS <c>select/1</c>: the next page after <paramref name="continuation"/>.</summary>
    SelectPage<TResult> Select<TResult>(SelectContinuation<TResult> continuation);

    /// <summary>ETS <c>select_reverse/2</c>: as <c>Select</c> but in descending key order; ordered_set only.</summary>
    IReadOnlyList<TResult> SelectReverse<TResult>(MatchSpec<TObject, TResult> spec);

    /// <summary>ETS <c>select_reverse/3</c>: a descending page; continue with <c>Select(continuation)</c>. ordered_set only.</summary>
    SelectPage<TResult> SelectReverse<TResult>(MatchSpec<TObject, TResult> spec, int limit);

    /// <summary>ETS <c>select_count/2</c>: how many objects <paramref name="where"/> accepts.</summary>
    long SelectCount(Func<TObject, bool> where);

    /// <summary>ETS <c>info/1</c>.</summary>
    TableInfo Info();

    /// <summary>
    /// ETS <c>slot/2</c>: the objects in slot <paramref name="index"/>, or null past the last slot. Slots
    /// are the keys of the walk order for hashed tables and the objects in key order for ordered_set.
    /// </summary>
    IReadOnlyList<TObject>? Slot(int index);
}
