using System.Linq.Expressions;
using PersistentEts.Storage;
using PersistentEts.Tables;

namespace PersistentEts;

/// <summary>
/// Creates and finds ETS tables: the counterparts of <c>ets:new/2</c>, <c>ets:whereis/1</c> and
/// <c>ets:all/0</c>.
/// </summary>
public static class Ets
{
    internal static TableRegistry Registry { get; } = new();

    /// <summary>
    /// ETS <c>new/2</c>: creates a table of <typeparamref name="TObject"/> whose key is taken from each object by
    /// <paramref name="key"/> (the counterpart of <c>keypos</c>). Returns the owner handle.
    /// </summary>
    /// <param name="name">The table name; registered when <see cref="TableOptions.NamedTable"/> is set.</param>
    /// <param name="key">The key selector, e.g. <c>r => r.Id</c>. Its text is kept as the key's description.</param>
    /// <param name="options">Type, protection and tuning; <see cref="TableOptions.Default"/> when null.</param>
    /// <param name="keyComparer">Key order of an ordered_set (default <see cref="Comparer{T}.Default"/>); keys comparing equal are the same key.</param>
    /// <param name="keyEquality">Key equality of hashed tables (default <see cref="EqualityComparer{T}.Default"/>).</param>
    /// <param name="objectEquality">Object equality for bags and <c>DeleteObject</c> (default <see cref="EqualityComparer{T}.Default"/>).</param>
    /// <param name="ownerLifetime">Optional owner lifetime: when cancelled, the owner ends as if the handle were disposed.</param>
    public static EtsTable<TKey, TObject> New<TKey, TObject>(
        string name,
        Expression<Func<TObject, TKey>> key,
        TableOptions? options = null,
        IComparer<TKey>? keyComparer = null,
        IEqualityComparer<TKey>? keyEquality = null,
        IEqualityComparer<TObject>? objectEquality = null,
        CancellationToken ownerLifetime = default) where TKey : notnull
    {
        if (key is null) Throw.Argument(nameof(key), "A table needs a key selector.");
        return Create(name, key.Compile(), key.ToString(), options, keyComparer, keyEquality, objectEquality, ownerLifetime);
    }

    /// <summary>
    /// A table of key/value pairs, the convenient form of <see cref="New{TKey, TObject}(string, Expression{Func{TObject, TKey}}, TableOptions?, IComparer{TKey}?, IEqualityComparer{TKey}?, IEqualityComparer{TObject}?, CancellationToken)"/>
    /// for <c>{Key, Value}</c> tuples.
    /// </summary>
    public static EtsTable<TKey, KeyValuePair<TKey, TValue>> NewKeyValue<TKey, TValue>(
        string name,
        TableOptions? options = null,
        IComparer<TKey>? keyComparer = null,
        IEqualityComparer<TKey>? keyEquality = null,
        IEqualityComparer<TValue>? valueEquality = null,
        CancellationToken ownerLifetime = default) where TKey : notnull
    {
        var pairEquality = valueEquality is null ? null : new PairEquality<TKey, TValue>(keyEquality, valueEquality);
        return Create<TKey, KeyValuePair<TKey, TValue>>(name, static kv => kv.Key, "kv => kv.Key", options,
            keyComparer, keyEquality, pairEquality, ownerLifetime);
    }

    internal static EtsTable<TKey, TObject> Create<TKey, TObject>(
        string name, Func<TObject, TKey> keyOf, string keyDescription, TableOptions? options,
        IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality, IEqualityComparer<TObject>? objectEquality,
        CancellationToken ownerLifetime) where TKey : notnull =>
        Publish(Build(name, keyOf, keyDescription, options, keyComparer, keyEquality, objectEquality, TableWiring<TKey, TObject>.None), ownerLifetime);

    /// <summary>
    /// Builds a table and its owner handle without making it reachable: nothing can find it by name or in
    /// <see cref="All"/> until <see cref="Publish{TKey, TObject}"/>, so a loader can fill it first.
    /// </summary>
    internal static EtsTable<TKey, TObject> Build<TKey, TObject>(
        string name, Func<TObject, TKey> keyOf, string keyDescription, TableOptions? options,
        IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality, IEqualityComparer<TObject>? objectEquality,
        TableWiring<TKey, TObject> wiring, int capacity = 0, Func<TableCore<TKey, TObject>, EtsTable<TKey, TObject>>? makeOwner = null)
        where TKey : notnull
    {
        ValidateName(name, nameof(name));
        options ??= TableOptions.Default;
        options.Validate();
        if (!options.AllowMutableObjects) StoredTypeCheck.EnsureImmutable(typeof(TObject));
        var core = CreateCore(name, keyOf, keyDescription, options, keyComparer, keyEquality,
            objectEquality ?? EqualityComparer<TObject>.Default, wiring, capacity);
        var owner = makeOwner?.Invoke(core) ?? new EtsTable<TKey, TObject>(core);
        core.SetOwnerLocked(owner); // not yet published: nobody else can see it
        return owner;
    }

    /// <summary>Makes a complete table reachable (its name, <see cref="All"/>) and binds its owner's lifetime.</summary>
    internal static EtsTable<TKey, TObject> Publish<TKey, TObject>(EtsTable<TKey, TObject> owner, CancellationToken ownerLifetime)
        where TKey : notnull
    {
        Registry.Add(owner.Core);
        owner.BindLifetime(ownerLifetime);
        return owner;
    }

    private static TableCore<TKey, TObject> CreateCore<TKey, TObject>(
        string name, Func<TObject, TKey> keyOf, string keyDescription, TableOptions options,
        IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality, IEqualityComparer<TObject> objectEquality,
        TableWiring<TKey, TObject> wiring, int capacity) where TKey : notnull
    {
        var ordered = options.Type == TableType.OrderedSet;
        var comparer = keyComparer ?? Comparer<TKey>.Default;
        // In an ordered_set, keys that compare equal are one key (ETS's == rather than =:=).
        var equality = ordered ? new ComparerEquality<TKey>(comparer) : keyEquality ?? EqualityComparer<TKey>.Default;
        if (options.Type.IsBag())
        {
            var bagStore = new HashStore<TKey, BagObjects<TObject>>(options.ResolveStripes(), equality, capacity);
            return new BagCore<TKey, TObject>(name, options, keyOf, keyDescription, bagStore, equality, objectEquality, wiring);
        }
        IStore<TKey, TObject> store = ordered
            ? new SortedStore<TKey, TObject>(comparer)
            : new HashStore<TKey, TObject>(options.ResolveStripes(), equality, capacity);
        return new SetCore<TKey, TObject>(name, options, keyOf, keyDescription, store, equality, objectEquality, wiring);
    }

    /// <summary>The longest table name, in characters: an Erlang atom's limit, which ETS table names share.</summary>
    public const int MaxNameLength = 255;

    internal static void ValidateName(string name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name)) Throw.Argument(paramName, "A table name may not be null, empty or blank.");
        if (name.Length > MaxNameLength)
            Throw.Argument(paramName, $"A table name may be at most {MaxNameLength} characters (as an Erlang atom), not {name.Length}.");
    }

    /// <summary>
    /// ETS <c>whereis/1</c> for reading: the named table as a read-only handle. Throws
    /// <see cref="TableNameException"/> when no live named table has this name or its types differ, and
    /// <see cref="TableAccessException"/> for a private table.
    /// </summary>
    public static IReadOnlyEtsTable<TKey, TObject> Whereis<TKey, TObject>(string name) where TKey : notnull =>
        Registry.Find<TKey, TObject>(name).ShareReadOnly();

    /// <summary>
    /// <see cref="Whereis{TKey, TObject}(string)"/> without the exception for an absent table: false when no
    /// live named table has this name. A table of other types, or a private one, still throws (the name is
    /// there; the call is wrong).
    /// </summary>
    public static bool TryWhereis<TKey, TObject>(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyEtsTable<TKey, TObject>? table)
        where TKey : notnull
    {
        table = Registry.TryFind<TKey, TObject>(name)?.ShareReadOnly();
        return table is not null;
    }

    /// <summary>As <see cref="Whereis{TKey, TObject}(string)"/>, but a read-write handle; public tables only.</summary>
    public static IEtsTable<TKey, TObject> WhereisWritable<TKey, TObject>(string name) where TKey : notnull =>
        Registry.Find<TKey, TObject>(name).Share();

    /// <summary>Whether a live named table has this name.</summary>
    public static bool IsRegistered(string name) => Registry.IsRegistered(name);

    /// <summary>ETS <c>all/0</c>: information on every live table, named or not.</summary>
    public static IReadOnlyList<TableInfo> All() => Registry.All();
}
