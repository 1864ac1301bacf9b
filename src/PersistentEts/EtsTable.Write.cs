namespace PersistentEts;

public sealed partial class EtsTable<TKey, TObject>
{
    /// <inheritdoc />
    public void Insert(TObject obj) => Write().Insert(obj);

    /// <inheritdoc />
    public void Insert(IEnumerable<TObject> objects)
    {
        ArgumentNotNull(objects, nameof(objects));
        Write().InsertMany(Materialize(objects));
    }

    /// <inheritdoc />
    public bool InsertNew(TObject obj) => Write().InsertNew(obj);

    /// <inheritdoc />
    public bool InsertNew(IEnumerable<TObject> objects)
    {
        ArgumentNotNull(objects, nameof(objects));
        return Write().InsertNewMany(Materialize(objects));
    }

    private static IReadOnlyList<TObject> Materialize(IEnumerable<TObject> objects) =>
        objects as IReadOnlyList<TObject> ?? objects.ToArray();

    /// <inheritdoc />
    public IReadOnlyList<TObject> Take(TKey key) => Write().Take(CheckKey(key));

    /// <inheritdoc />
    public bool Delete(TKey key) => Write().Delete(CheckKey(key));

    /// <inheritdoc />
    public bool DeleteObject(TObject obj) => Write().DeleteObject(obj);

    /// <inheritdoc />
    public void DeleteAllObjects() => Write().Clear();

    /// <inheritdoc />
    public long SelectDelete(Func<TObject, bool> where)
    {
        ArgumentNotNull(where, nameof(where));
        return Write().SelectDelete(where);
    }

    /// <inheritdoc />
    public long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace)
    {
        ArgumentNotNull(where, nameof(where));
        ArgumentNotNull(replace, nameof(replace));
        return Write().SelectReplace(where, replace);
    }

    /// <inheritdoc />
    public long UpdateCounter(TKey key, CounterField<TObject> field, CounterOp op)
    {
        ArgumentNotNull(field, nameof(field));
        return Write().UpdateCounters(CheckKey(key), [new(field, op)], false, default!)[0];
    }

    /// <inheritdoc />
    public long UpdateCounter(TKey key, CounterField<TObject> field, CounterOp op, TObject defaultObject)
    {
        ArgumentNotNull(field, nameof(field));
        if (defaultObject is null) Throw.NullObject(nameof(defaultObject));
        return Write().UpdateCounters(CheckKey(key), [new(field, op)], true, defaultObject)[0];
    }

    /// <inheritdoc />
    public long[] UpdateCounters(TKey key, IReadOnlyList<CounterUpdate<TObject>> updates)
    {
        ArgumentNotNull(updates, nameof(updates));
        foreach (var u in updates) ArgumentNotNull(u.Field, nameof(updates));
        return Write().UpdateCounters(CheckKey(key), [.. updates], false, default!);
    }

    /// <inheritdoc />
    public bool UpdateElement(TKey key, Func<TObject, TObject> change)
    {
        ArgumentNotNull(change, nameof(change));
        return Write().UpdateElement(CheckKey(key), change);
    }

    /// <inheritdoc />
    public TObject AddOrUpdate(TKey key, Func<TKey, TObject> add, Func<TKey, TObject, TObject> update)
    {
        ArgumentNotNull(add, nameof(add));
        ArgumentNotNull(update, nameof(update));
        return Write().AddOrUpdate(CheckKey(key), add, update);
    }

    /// <inheritdoc />
    public void Rename(string newName)
    {
        Ets.ValidateName(newName, nameof(newName));
        var core = Write();
        Ets.Registry.Rename(core, newName);
    }
}
