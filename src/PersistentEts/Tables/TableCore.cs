namespace PersistentEts.Tables;

/// <summary>
/// The shared state of one table, behind all of its handles: contents, name, owner and heir.
/// Handles (<see cref="EtsTable{TKey, TObject}"/>) check access rights; the core does the work.
/// </summary>
internal abstract partial class TableCore<TKey, TObject> : ITableRegistration where TKey : notnull
{
    private static long s_nextId;

    private volatile string _name;
    private volatile bool _destroyed;

    // Set while the owner's end is being saved: from then on every write throws. Changed only while every
    // stripe lock is held (see SealWrites), so a writer, which holds its key's stripe, sees one value for the
    // whole of its write: it either completes before the final save's instant or changes nothing.
    private volatile bool _writesSealed;

    protected TableCore(string name, TableOptions options, Func<TObject, TKey> keyOf, string keyDescription, TableWiring<TKey, TObject> wiring)
    {
        _name = name;
        Options = options;
        KeyOf = keyOf;
        KeyDescription = keyDescription;
        Id = Interlocked.Increment(ref s_nextId);
        ChangeLog = wiring.Log;
        // Last, with every field above set: the durable side only keeps the reference until it is started.
        Durability = wiring.Durability?.Invoke(this);
    }

    public long Id { get; }

    public string Name
    {
        get => _name;
        set => _name = value;
    }

    public TableOptions Options { get; }

    public TableType Type => Options.Type;

    public Func<TObject, TKey> KeyOf { get; }

    public string KeyDescription { get; }

    public bool IsDestroyed => _destroyed;

    // The current owner handle and heir. Changed only under OwnerLock (give-away, heir hand-over, destroy);
    // the owner is read without it by the per-call rights check, hence volatile.
    private volatile EtsTable<TKey, TObject>? _owner;
    private HeirRegistration<TKey, TObject>? _heir;

    // The store handles of a non-private table may read directly, by kind: at most one is set, by the
    // core's constructor, before any handle exists (handles keep it). The table's end does not clear them
    // but retires the store, which closes every handle's fast path at once.
    private Storage.HashStore<TKey, TObject>? _fastReads;
    private Storage.HashStore<TKey, BagObjects<TObject>>? _fastBagReads;
    private Storage.SortedStore<TKey, TObject>? _fastOrderedReads;

    /// <summary>Serializes ownership changes: give-away, heir hand-over, destroy.</summary>
    public readonly object OwnerLock = new();

    /// <summary>The current owner handle.</summary>
    public EtsTable<TKey, TObject>? Owner => _owner;

    /// <summary>The heir, if any (read under <see cref="OwnerLock"/>).</summary>
    public HeirRegistration<TKey, TObject>? Heir => _heir;

    /// <summary>The store handles may read directly (see the field), or null.</summary>
    public Storage.HashStore<TKey, TObject>? FastReads => _fastReads;

    /// <summary>The bag store handles may read directly (see the field), or null.</summary>
    public Storage.HashStore<TKey, BagObjects<TObject>>? FastBagReads => _fastBagReads;

    /// <summary>The ordered store handles may read directly (see the field), or null.</summary>
    public Storage.SortedStore<TKey, TObject>? FastOrderedReads => _fastOrderedReads;

    /// <summary>Makes <paramref name="owner"/> the owner; the caller holds <see cref="OwnerLock"/> (or the table is not yet published).</summary>
    public void SetOwnerLocked(EtsTable<TKey, TObject>? owner) => _owner = owner;

    /// <summary>Sets or clears the heir; the caller holds <see cref="OwnerLock"/>.</summary>
    public void SetHeirLocked(HeirRegistration<TKey, TObject>? heir) => _heir = heir;

    /// <summary>Called once by a set core's constructor when its handles may read its hashed store directly.</summary>
    protected void EnableFastReads(Storage.HashStore<TKey, TObject>? store) => _fastReads = store;

    /// <summary>Called once by an ordered_set core's constructor when its handles may read its store directly.</summary>
    protected void EnableFastOrderedReads(Storage.SortedStore<TKey, TObject>? store) => _fastOrderedReads = store;

    /// <summary>Called once by a bag core's constructor when its handles may read its store directly.</summary>
    protected void EnableFastBagReads(Storage.HashStore<TKey, BagObjects<TObject>>? store) => _fastBagReads = store;

    /// <summary>The write-ahead log every change is recorded in before it is applied, when the table has one.</summary>
    public IChangeLog<TObject>? ChangeLog { get; }

    /// <summary>The save loop of a persistent table; null for a plain one.</summary>
    public ITableDurability? Durability { get; }

    public void EnsureAlive()
    {
        if (_destroyed) Throw.Destroyed(_name);
    }

    /// <summary>Called under the key's stripe lock before any change: refuses writes once the owner's end began.</summary>
    protected void EnsureWritable()
    {
        if (_writesSealed) Throw.Destroyed(_name);
    }

    /// <summary>
    /// Holds back every later write (they throw <see cref="TableDestroyedException"/>) and waits for the
    /// writes in progress: when this returns, every write that will ever change the table has done so.
    /// </summary>
    public void SealWrites() => SetWritesSealed(true);

    /// <summary>Lets writes in again after a final save that failed.</summary>
    public void UnsealWrites() => SetWritesSealed(false);

    private void SetWritesSealed(bool sealedNow) => WithAllStripes(() => _writesSealed = sealedNow);

    /// <summary>Runs <paramref name="action"/> holding every stripe lock.</summary>
    protected abstract void WithAllStripes(Action action);

    /// <summary>Marks the table destroyed and drops its contents. Idempotent.</summary>
    public void MarkDestroyed()
    {
        if (_destroyed) return;
        _destroyed = true;
        // Handles hold the store for their fast path: retiring it sends them to their checked path.
        _fastReads?.Retire();
        _fastBagReads?.Retire();
        _fastOrderedReads?.Retire();
        _owner = null;
        _heir = null;
        ClearForDestroy();
    }

    public TKey KeyOfChecked(TObject obj, string paramName)
    {
        if (obj is null) Throw.NullObject(paramName);
        var key = KeyOf(obj);
        if (key is null) Throw.NullKey(paramName);
        return key;
    }

    public TableInfo Info() => new(
        Id, Name, Type, Options.Protection, Options.NamedTable, Count, MemoryEstimate(),
        Owner?.HandleId ?? 0, Heir is not null, KeyDescription, typeof(TKey), typeof(TObject), Options);

    Type ITableRegistration.KeyType => typeof(TKey);

    Type ITableRegistration.ObjectType => typeof(TObject);

    // ---- contents: implemented per store and table type ----

    public abstract long Count { get; }

    /// <summary>A number that grows with every change; equal readings mean no change in between.</summary>
    public abstract long ChangeCount { get; }

    public abstract long MemoryEstimate();

    protected abstract void ClearForDestroy();

    public abstract bool TryLookup(TKey key, out TObject obj);

    public abstract IReadOnlyList<TObject> Lookup(TKey key);

    public abstract bool Contains(TKey key);

    public abstract void Insert(TObject obj);

    public abstract void InsertMany(IReadOnlyList<TObject> objects);

    public abstract bool InsertNew(TObject obj);

    public abstract bool InsertNewMany(IReadOnlyList<TObject> objects);

    public abstract IReadOnlyList<TObject> Take(TKey key);

    public abstract bool Delete(TKey key);

    public abstract bool DeleteObject(TObject obj);

    public abstract void Clear();

    public abstract bool TryFirst(out TKey key);

    public abstract bool TryLast(out TKey key);

    public abstract bool TryNext(TKey key, out TKey next);

    public abstract bool TryPrev(TKey key, out TKey prev);

    public abstract TAcc Fold<TAcc>(TAcc seed, Func<TAcc, TObject, TAcc> folder, bool fromRight);

    public abstract List<TResult> SelectAll<TResult>(MatchSpec<TObject, TResult> spec, bool descending);

    public abstract SelectPage<TResult> SelectPage<TResult>(MatchSpec<TObject, TResult> spec, int limit, bool descending);

    public abstract SelectPage<TResult> SelectContinue<TResult>(SelectContinuation<TResult> continuation);

    public abstract long SelectCount(Func<TObject, bool> where);

    public abstract long SelectDelete(Func<TObject, bool> where);

    public abstract long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace);

    public abstract long[] UpdateCounters(TKey key, ReadOnlySpan<CounterUpdate<TObject>> updates, bool hasDefault, TObject defaultObject);

    public abstract bool UpdateElement(TKey key, Func<TObject, TObject> change);

    public abstract TObject AddOrUpdate(TKey key, Func<TKey, TObject> add, Func<TKey, TObject, TObject> update);

    public abstract IReadOnlyList<TObject>? Slot(int index);

    // ---- loading: no log, no capture (see StoreCore); before the table is published, or into a follower's ----

    /// <summary>Adds an object as a snapshot holds it: a set's replaces the key's, a bag's joins the key's objects in order.</summary>
    public abstract void RestoreObject(TObject obj);

    /// <summary><see cref="RestoreObject"/> for each of <paramref name="objects"/> in order, with the locking done once per store lock rather than per object where the store allows.</summary>
    public abstract void RestoreObjects(ReadOnlySpan<TObject> objects);

    /// <summary>A replayed log record: the key holds exactly these objects.</summary>
    public abstract void RestorePut(ReadOnlySpan<TObject> objects);

    /// <summary>A replayed log record: the key of <paramref name="anyObjectOfKey"/> no longer exists.</summary>
    public abstract void RestoreRemove(TObject anyObjectOfKey);

    /// <summary>A replayed log record: the table was emptied.</summary>
    public abstract void RestoreClear();

    /// <summary>
    /// A replayed batch record: runs <paramref name="apply"/> (restores of the keys in <paramref name="keys"/>)
    /// holding those keys' stripes, isolated from readers as the logged batch was when it was made. Needed
    /// once readers can see the table while it is replayed (a follower).
    /// </summary>
    public abstract void RestoreAtomically(IEnumerable<TKey> keys, Action apply);

    /// <summary>
    /// Fixes the table's contents as of now for a save, without stopping writers for more than a moment.
    /// <paramref name="atInstant"/> runs at the instant, while every writer is held (log rotation); its
    /// result is returned in <see cref="ISnapshotView{TObject}.AtInstant"/>.
    /// </summary>
    public abstract ISnapshotView<TObject> BeginSnapshot(Func<long>? atInstant = null);
}
