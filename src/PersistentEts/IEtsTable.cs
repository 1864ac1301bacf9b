namespace PersistentEts;

/// <summary>
/// The read and write operations of an ETS table. The owner handle (<see cref="EtsTable{TKey, TObject}"/>)
/// has them all; non-owners get this interface only for <see cref="TableProtection.Public"/> tables.
/// </summary>
/// <remarks>
/// Every single-object operation is atomic and isolated. Batch inserts are atomic and isolated: no
/// reader sees part of a batch. Select-delete and select-replace are atomic per object, as in ETS.
/// </remarks>
public interface IEtsTable<TKey, TObject> : IReadOnlyEtsTable<TKey, TObject> where TKey : notnull
{
    /// <summary>ETS <c>insert/2</c>: a set replaces the object with the same key; a bag adds it unless an equal one is there; a duplicate_bag always adds it.</summary>
    void Insert(TObject obj);

    /// <summary>ETS <c>insert/2</c> with a list: atomic and isolated.</summary>
    void Insert(IEnumerable<TObject> objects);

    /// <summary>ETS <c>insert_new/2</c>: inserts only if no object has this key; returns whether it did.</summary>
    bool InsertNew(TObject obj);

    /// <summary>ETS <c>insert_new/2</c> with a list: all or nothing, if none of the keys exists.</summary>
    bool InsertNew(IEnumerable<TObject> objects);

    /// <summary>ETS <c>take/2</c>: removes and returns the objects under the key.</summary>
    IReadOnlyList<TObject> Take(TKey key);

    /// <summary>ETS <c>delete/2</c>: removes every object with the key; returns whether there was any.</summary>
    bool Delete(TKey key);

    /// <summary>ETS <c>delete_object/2</c>: removes this exact object (every equal copy in a duplicate_bag).</summary>
    bool DeleteObject(TObject obj);

    /// <summary>ETS <c>delete_all_objects/1</c>: empties the table atomically.</summary>
    void DeleteAllObjects();

    /// <summary>ETS <c>select_delete/2</c> and <c>match_delete/2</c>: removes every object <paramref name="where"/> accepts; returns how many.</summary>
    long SelectDelete(Func<TObject, bool> where);

    /// <summary>
    /// ETS <c>select_replace/2</c>: replaces every object <paramref name="where"/> accepts by
    /// <paramref name="replace"/>'s result; returns how many. A replacement with another key is refused with
    /// <see cref="EtsArgumentException"/> and that object stays as it was.
    /// </summary>
    long SelectReplace(Func<TObject, bool> where, Func<TObject, TObject> replace);

    /// <summary>ETS <c>update_counter/3</c>: atomically updates a counter of the object under the key and returns its new value. Sets only.</summary>
    long UpdateCounter(TKey key, CounterField<TObject> field, CounterOp op);

    /// <summary>ETS <c>update_counter/4</c>: as above, inserting <paramref name="defaultObject"/> first when the key is absent.</summary>
    long UpdateCounter(TKey key, CounterField<TObject> field, CounterOp op, TObject defaultObject);

    /// <summary>ETS <c>update_counter/3</c> with a list of operations: all applied atomically, new values in order.</summary>
    long[] UpdateCounters(TKey key, IReadOnlyList<CounterUpdate<TObject>> updates);

    /// <summary>ETS <c>update_counter/4</c> with a list of operations: as above, starting from <paramref name="defaultObject"/> when the key is absent.</summary>
    long[] UpdateCounters(TKey key, IReadOnlyList<CounterUpdate<TObject>> updates, TObject defaultObject);

    /// <summary>ETS <c>update_element/3</c>: atomically replaces the object under the key by <paramref name="change"/>'s result; false if absent. Sets only.</summary>
    bool UpdateElement(TKey key, Func<TObject, TObject> change);

    /// <summary>An atomic read-modify-write: adds <paramref name="add"/>'s object or replaces the current one by <paramref name="update"/>'s. Sets only.</summary>
    TObject AddOrUpdate(TKey key, Func<TKey, TObject> add, Func<TKey, TObject, TObject> update);

    /// <summary>ETS <c>rename/2</c>: renames the table (and its registration, for named tables).</summary>
    void Rename(string newName);
}
