using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using PersistentEts.Tables;

namespace PersistentEts;

/// <summary>
/// A handle on an ETS table. The handle returned by <see cref="Ets.New{TKey, TObject}(string, System.Linq.Expressions.Expression{Func{TObject, TKey}}, TableOptions?, IComparer{TKey}?, IEqualityComparer{TKey}?, IEqualityComparer{TObject}?, CancellationToken)"/>
/// is the owner: disposing it ends the owner, and the table passes to its heir or is destroyed, as when an
/// ETS owner process exits.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TObject">The stored object type; prefer immutable records (see <see cref="TableOptions.AllowMutableObjects"/>).</typeparam>
/// <remarks>
/// Rights are checked on every call against the table's protection and the current owner, so a handle
/// that gave its table away keeps only a non-owner's rights. All members are thread-safe.
/// </remarks>
public partial class EtsTable<TKey, TObject> : IEtsTable<TKey, TObject>, IDisposable, IAsyncDisposable where TKey : notnull
{
    private static long s_nextHandleId;

    private readonly TableCore<TKey, TObject> _core;

    // Copied from the immutable options so the per-call rights check reads no other object.
    private readonly TableProtection _protection;

    // The table's hashed store when handles may read it directly (TableCore.FastReads), held here so a
    // lookup is one load shorter; the store says when the fast path is closed (a batch, the table's end).
    private readonly Storage.HashStore<TKey, TObject>? _fastSet;
    private readonly Storage.HashStore<TKey, Tables.BagObjects<TObject>>? _fastBag;
    private readonly Storage.SortedStore<TKey, TObject>? _fastOrdered;

    internal EtsTable(TableCore<TKey, TObject> core)
    {
        _core = core;
        _fastSet = core.FastReads;
        _fastBag = core.FastBagReads;
        _fastOrdered = core.FastOrderedReads;
        _protection = core.Options.Protection;
        HandleId = Interlocked.Increment(ref s_nextHandleId);
    }

    internal TableCore<TKey, TObject> Core => _core;

    /// <summary>A process-unique id of this handle; <see cref="TableInfo.Owner"/> reports the owner's.</summary>
    public long HandleId { get; }

    /// <summary>Whether this handle currently owns the table.</summary>
    public bool IsOwner => ReferenceEquals(_core.Owner, this);

    /// <summary>The save loop of a table made by <see cref="PersistentTable.New{TKey, TObject}"/>; null for a plain table.</summary>
    public Persistence.TablePersistence? Persistence => _core.Durability as Persistence.TablePersistence;

    /// <inheritdoc />
    public string Name => _core.Name;

    /// <inheritdoc />
    public TableType Type => _core.Type;

    /// <inheritdoc />
    public long Count => Read().Count;

    private TableCore<TKey, TObject> Read()
    {
        _core.EnsureAlive();
        if (_protection == TableProtection.Private && !IsOwner) ThrowNoRead();
        return _core;
    }

    private TableCore<TKey, TObject> Write()
    {
        _core.EnsureAlive();
        if (_protection != TableProtection.Public && !IsOwner) ThrowNoWrite();
        return _core;
    }

    private void ThrowNoRead() => Throw.Access($"Table '{_core.Name}' is private: only its owner may read it.");

    private void ThrowNoWrite() =>
        Throw.Access($"Table '{_core.Name}' is {_protection.ToString().ToLowerInvariant()}: only its owner may write to it.");

    private static TKey CheckKey(TKey key)
    {
        if (key is null) Throw.NullKey(nameof(key));
        return key;
    }

    /// <inheritdoc />
    public IReadOnlyList<TObject> Lookup(TKey key) => Read().Lookup(CheckKey(key));

    /// <inheritdoc />
    // Inlined into callers' loops: a random lookup is bound by cache misses, and a loop body without a
    // call lets the processor overlap the misses of several lookups, as with a bare dictionary.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(TKey key, [MaybeNullWhen(false)] out TObject obj)
    {
        // Fast paths: a live set or bag table, readable by anyone (see TableCore.FastReads).
        if (key is not null)
        {
            if (_fastSet is { } h && h.ReadsAreFast) return h.TryGetFast(key, out obj);
            if (_fastBag is { } b && b.ReadsAreFast)
            {
                var found = b.TryGetFast(key, out var objects);
                obj = found ? objects.First : default;
                return found;
            }
            if (_fastOrdered is { } o && o.ReadsAreFast) return o.TryGet(key, out obj);
        }
        return Read().TryLookup(CheckKey(key!), out obj);
    }

    /// <inheritdoc />
    public IReadOnlyList<TResult> LookupElement<TResult>(TKey key, Func<TObject, TResult> projection)
    {
        ArgumentNotNull(projection, nameof(projection));
        var objects = Read().Lookup(CheckKey(key));
        if (objects.Count == 0) throw new EtsKeyNotFoundException(_core.Name, key);
        return objects.Select(projection).ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<TResult> LookupElement<TResult>(TKey key, Func<TObject, TResult> projection, TResult defaultValue)
    {
        ArgumentNotNull(projection, nameof(projection));
        var objects = Read().Lookup(CheckKey(key));
        return objects.Count == 0 ? [defaultValue] : objects.Select(projection).ToArray();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(TKey key)
    {
        if (key is not null)
        {
            if (_fastSet is { } h && h.ReadsAreFast) return h.TryGetFast(key, out _);
            if (_fastBag is { } b && b.ReadsAreFast) return b.TryGetFast(key, out _);
            if (_fastOrdered is { } o && o.ReadsAreFast) return o.TryGet(key, out _);
        }
        return Read().Contains(CheckKey(key!));
    }

    /// <inheritdoc />
    public bool TryFirst([MaybeNullWhen(false)] out TKey key) => Read().TryFirst(out key);

    /// <inheritdoc />
    public bool TryLast([MaybeNullWhen(false)] out TKey key) => Read().TryLast(out key);

    /// <inheritdoc />
    public bool TryNext(TKey key, [MaybeNullWhen(false)] out TKey next) => Read().TryNext(CheckKey(key), out next);

    /// <inheritdoc />
    public bool TryPrev(TKey key, [MaybeNullWhen(false)] out TKey prev) => Read().TryPrev(CheckKey(key), out prev);

    /// <inheritdoc />
    public TAcc FoldLeft<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder)
    {
        ArgumentNotNull(folder, nameof(folder));
        return Read().Fold(seed, folder, fromRight: false);
    }

    /// <inheritdoc />
    public TAcc FoldRight<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder)
    {
        ArgumentNotNull(folder, nameof(folder));
        return Read().Fold(seed, folder, fromRight: true);
    }

    /// <inheritdoc />
    public List<TObject> ToList() => Read().SelectAll(AllObjects, descending: false);

    private static readonly MatchSpec<TObject, TObject> AllObjects = MatchSpec.FromDelegates<TObject, TObject>(static _ => true, static o => o);

    /// <inheritdoc />
    public IReadOnlyList<TObject> Select(Func<TObject, bool> where) =>
        Read().SelectAll(MatchSpec.FromDelegates(where, static o => o), descending: false);

    /// <inheritdoc />
    public IReadOnlyList<TResult> Select<TResult>(Func<TObject, bool> where, Func<TObject, TResult> selector) =>
        Read().SelectAll(MatchSpec.FromDelegates(where, selector), descending: false);

    /// <inheritdoc />
    public IReadOnlyList<TResult> Select<TResult>(MatchSpec<TObject, TResult> spec)
    {
        ArgumentNotNull(spec, nameof(spec));
        return Read().SelectAll(spec, descending: false);
    }

    /// <inheritdoc />
    public SelectPage<TResult> Select<TResult>(MatchSpec<TObject, TResult> spec, int limit)
    {
        ArgumentNotNull(spec, nameof(spec));
        return Read().SelectPage(spec, limit, descending: false);
    }

    /// <inheritdoc />
    public SelectPage<TResult> Select<TResult>(SelectContinuation<TResult> continuation)
    {
        ArgumentNotNull(continuation, nameof(continuation));
        return Read().SelectContinue(continuation);
    }

    /// <inheritdoc />
    public IReadOnlyList<TResult> SelectReverse<TResult>(MatchSpec<TObject, TResult> spec)
    {
        ArgumentNotNull(spec, nameof(spec));
        return Read().SelectAll(spec, descending: true);
    }

    /// <inheritdoc />
    public SelectPage<TResult> SelectReverse<TResult>(MatchSpec<TObject, TResult> spec, int limit)
    {
        ArgumentNotNull(spec, nameof(spec));
        return Read().SelectPage(spec, limit, descending: true);
    }

    /// <inheritdoc />
    public long SelectCount(Func<TObject, bool> where)
    {
        ArgumentNotNull(where, nameof(where));
        return Read().SelectCount(where);
    }

    /// <inheritdoc />
    public TableInfo Info() => Read().Info();

    /// <inheritdoc />
    public IReadOnlyList<TObject>? Slot(int index) => Read().Slot(index);

    private static void ArgumentNotNull(object? value, string name)
    {
        if (value is null) Throw.Argument(name, "Value cannot be null.");
    }

    /// <inheritdoc />
    public override string ToString() => $"EtsTable({_core.Name}, {_core.Type.ToEtsName()}, #{_core.Id})";
}
