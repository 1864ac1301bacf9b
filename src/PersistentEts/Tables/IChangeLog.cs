namespace PersistentEts.Tables;

/// <summary>
/// What a table reports to its write-ahead log, owned by the tables and implemented by the file code.
/// </summary>
/// <remarks>
/// Write ahead, then apply: the record methods are called under the key's stripe lock <em>before</em> the
/// store changes, so the log's order is the order changes are applied in, and a record that cannot be
/// encoded, is too large, or meets a failed log throws before anything changed. <see cref="Commit"/> is
/// called after the locks are released and waits, per the sync policy, for the calling thread's last record.
/// </remarks>
internal interface IChangeLog<TObject>
{
    /// <summary>A key is about to hold exactly these objects.</summary>
    void Put(ReadOnlySpan<TObject> objects);

    /// <summary>The key of <paramref name="anyObjectOfKey"/> is about to be removed.</summary>
    void Remove(TObject anyObjectOfKey);

    /// <summary>The table is about to be emptied.</summary>
    void Clear();

    /// <summary>Starts collecting this thread's records into one batch record (all of a multi-key write).</summary>
    void BeginBatch();

    /// <summary>
    /// Appends the collected batch as one record. Throws, appending nothing, when the batch cannot be
    /// logged; the caller then undoes the batch's changes.
    /// </summary>
    void EndBatch();

    /// <summary>Drops the collected batch without appending it (the batch failed and was undone).</summary>
    void AbortBatch();

    /// <summary>Waits until this thread's last record is as durable as the policy promises.</summary>
    void Commit();
}
