namespace PersistentEts.Persistence.Log;

/// <summary>
/// What a table reports to its write-ahead log. The record methods are called while the key's stripe lock
/// is held, so the log's order is the order changes were applied in; <see cref="Commit"/> is called after
/// the locks are released and waits, per the sync policy, for the calling thread's last record.
/// </summary>
internal interface IChangeLog<TObject>
{
    /// <summary>A key now holds exactly these objects.</summary>
    void Put(ReadOnlySpan<TObject> objects);

    /// <summary>The key of <paramref name="anyObjectOfKey"/> no longer exists.</summary>
    void Remove(TObject anyObjectOfKey);

    /// <summary>The table was emptied.</summary>
    void Clear();

    /// <summary>Starts collecting this thread's records into one batch record (all of a multi-key write).</summary>
    void BeginBatch();

    /// <summary>Writes the collected batch as one record.</summary>
    void EndBatch();

    /// <summary>Waits until this thread's last record is as durable as the policy promises.</summary>
    void Commit();
}
