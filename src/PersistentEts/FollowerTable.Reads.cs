using System.Diagnostics.CodeAnalysis;

namespace PersistentEts;

// The read operations: each reads the table the follower shows now, once, and asks it. A load after the
// log was retired replaces that table whole, so one call sees one table. A key traversal (TryNext) across
// a reload goes on in the newer table; a select continuation goes on in the table its first page came from.
public sealed partial class FollowerTable<TKey, TObject>
{
    /// <inheritdoc />
    public string Name => _source.Name;

    /// <inheritdoc />
    public TableType Type => _source.Options.Table.Type;

    /// <inheritdoc />
    public long Count => Shown.Count;

    /// <inheritdoc />
    public IReadOnlyList<TObject> Lookup(TKey key) => Shown.Lookup(key);

    /// <inheritdoc />
    public bool TryLookup(TKey key, [MaybeNullWhen(false)] out TObject obj) => Shown.TryLookup(key, out obj);

    /// <inheritdoc />
    public IReadOnlyList<TResult> LookupElement<TResult>(TKey key, Func<TObject, TResult> projection) => Shown.LookupElement(key, projection);

    /// <inheritdoc />
    public IReadOnlyList<TResult> LookupElement<TResult>(TKey key, Func<TObject, TResult> projection, TResult defaultValue) =>
        Shown.LookupElement(key, projection, defaultValue);

    /// <inheritdoc />
    public bool Contains(TKey key) => Shown.Contains(key);

    /// <inheritdoc />
    public bool TryFirst([MaybeNullWhen(false)] out TKey key) => Shown.TryFirst(out key);

    /// <inheritdoc />
    public bool TryLast([MaybeNullWhen(false)] out TKey key) => Shown.TryLast(out key);

    /// <inheritdoc />
    public bool TryNext(TKey key, [MaybeNullWhen(false)] out TKey next) => Shown.TryNext(key, out next);

    /// <inheritdoc />
    public bool TryPrev(TKey key, [MaybeNullWhen(false)] out TKey prev) => Shown.TryPrev(key, out prev);

    /// <inheritdoc />
    public TAcc FoldLeft<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder) => Shown.FoldLeft(seed, folder);

    /// <inheritdoc />
    public TAcc FoldRight<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder) => Shown.FoldRight(seed, folder);

    /// <inheritdoc />
    public List<TObject> ToList() => Shown.ToList();

    /// <inheritdoc />
    public IReadOnlyList<TObject> Select(Func<TObject, bool> where) => Shown.Select(where);

    /// <inheritdoc />
    public IReadOnlyList<TResult> Select<TResult>(Func<TObject, bool> where, Func<TObject, TResult> selector) => Shown.Select(where, selector);

    /// <inheritdoc />
    public IReadOnlyList<TResult> Select<TResult>(MatchSpec<TObject, TResult> spec) => Shown.Select(spec);

    /// <inheritdoc />
    public SelectPage<TResult> Select<TResult>(MatchSpec<TObject, TResult> spec, int limit) => Shown.Select(spec, limit);

    /// <inheritdoc />
    public SelectPage<TResult> Select<TResult>(SelectContinuation<TResult> continuation) =>
        (continuation is not null && _replaced.TryGetValue(continuation.Table, out var started) ? started : Shown).Select(continuation!);

    /// <inheritdoc />
    public IReadOnlyList<TResult> SelectReverse<TResult>(MatchSpec<TObject, TResult> spec) => Shown.SelectReverse(spec);

    /// <inheritdoc />
    public SelectPage<TResult> SelectReverse<TResult>(MatchSpec<TObject, TResult> spec, int limit) => Shown.SelectReverse(spec, limit);

    /// <inheritdoc />
    public long SelectCount(Func<TObject, bool> where) => Shown.SelectCount(where);

    /// <inheritdoc />
    public TableInfo Info() => Shown.Info();

    /// <inheritdoc />
    public IReadOnlyList<TObject>? Slot(int index) => Shown.Slot(index);
}
