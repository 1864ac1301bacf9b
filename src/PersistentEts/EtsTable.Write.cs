namespace PersistentEts;

public partial class EtsTable<TKey, TObject>
{
    /// <summary>
    /// Waits, after a write and outside every lock, until the write's log record is as durable as the
    /// table's log policy promises. Free for tables without a log.
    /// </summary>
    private void CommitLog() => _core.ChangeLog?.Commit();

    /// <inheritdoc />
    public void Insert(TObject obj)
    {
        try { Write().Insert(obj); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public void Insert(IEnumerable<TObject> objects)
    {
        ArgumentNotNull(objects, nameof(objects));
        try { Write().InsertMany(Materialize(objects)); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public bool InsertNew(TObject obj)
    {
        try { return Write().InsertNew(obj); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public bool InsertNew(IEnumerable<TObject> objects)
    {
        ArgumentNotNull(objects, nameof(objects));
        try { return Write().InsertNewMany(Materialize(objects)); } finally { CommitLog(); }
    }

    private static IReadOnlyList<TObject> Materialize(IEnumerable<TObject> objects) =>
        objects as IReadOnlyList<TObject> ?? objects.ToArray();

    /// <inheritdoc />
    public IReadOnlyList<TObject> Take(TKey key)
    {
        try { return Write().Take(CheckKey(key)); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public bool Delete(TKey key)
    {
        try { return Write().Delete(CheckKey(key)); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public bool DeleteObject(TObject obj)
    {
        try { return Write().DeleteObject(obj); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public void DeleteAllObjects()
    {
        try { Write().Clear(); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public long SelectDelete(Func<TObject, bool> where)
    {
        ArgumentNotNull(where, nameof(where));
        try { return Write().SelectDelete(where); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace)
    {
        ArgumentNotNull(where, nameof(where));
        ArgumentNotNull(replace, nameof(replace));
        try { return Write().SelectReplace(where, replace); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public long UpdateCounter(TKey key, CounterField<TObject> field, CounterOp op)
    {
        ArgumentNotNull(field, nameof(field));
        try { return Write().UpdateCounters(CheckKey(key), [new(field, op)], false, default!)[0]; } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public long UpdateCounter(TKey key, CounterField<TObject> field, CounterOp op, TObject defaultObject)
    {
        ArgumentNotNull(field, nameof(field));
        if (defaultObject is null) Throw.NullObject(nameof(defaultObject));
        try { return Write().UpdateCounters(CheckKey(key), [new(field, op)], true, defaultObject)[0]; } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public long[] UpdateCounters(TKey key, IReadOnlyList<CounterUpdate<TObject>> updates)
    {
        ArgumentNotNull(updates, nameof(updates));
        foreach (var u in updates) ArgumentNotNull(u.Field, nameof(updates));
        try { return Write().UpdateCounters(CheckKey(key), [.. updates], false, default!); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public long[] UpdateCounters(TKey key, IReadOnlyList<CounterUpdate<TObject>> updates, TObject defaultObject)
    {
        ArgumentNotNull(updates, nameof(updates));
        foreach (var u in updates) ArgumentNotNull(u.Field, nameof(updates));
        if (defaultObject is null) Throw.NullObject(nameof(defaultObject));
        try { return Write().UpdateCounters(CheckKey(key), [.. updates], true, defaultObject); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public bool UpdateElement(TKey key, Func<TObject, TObject> change)
    {
        ArgumentNotNull(change, nameof(change));
        try { return Write().UpdateElement(CheckKey(key), change); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public TObject AddOrUpdate(TKey key, Func<TKey, TObject> add, Func<TKey, TObject, TObject> update)
    {
        ArgumentNotNull(add, nameof(add));
        ArgumentNotNull(update, nameof(update));
        try { return Write().AddOrUpdate(CheckKey(key), add, update); } finally { CommitLog(); }
    }

    /// <inheritdoc />
    public void Rename(string newName)
    {
        Ets.ValidateName(newName, nameof(newName));
        var core = Write();
        Ets.Registry.Rename(core, newName);
    }
}
