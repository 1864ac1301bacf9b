namespace PersistentEts.Tables;

/// <summary>
/// The durable side of a table as the tables see it: what happens to the saved state when the owner ends.
/// Owned by the tables, implemented by the file code (the save loop).
/// </summary>
internal interface ITableDurability
{
    /// <summary>
    /// The owner ends or the table is deleted: holds back every later write (they throw
    /// <see cref="TableDestroyedException"/>), saves what the table holds, stops saving and lets go of the
    /// files. Returns true when the table may go. When something acknowledged would be lost (the final save
    /// failed and no log holds the changes) writes are let in again and the table stays alive: the method
    /// throws when <paramref name="rethrow"/> is set and returns false otherwise.
    /// </summary>
    bool Close(bool rethrow);

    /// <summary>
    /// As <see cref="Close"/>; with <paramref name="async"/> the final save is written by awaited I/O,
    /// without it the call completes synchronously.
    /// </summary>
    ValueTask<bool> CloseAsync(bool rethrow, bool async);

    /// <summary>True once <see cref="Close"/> has let the files go: the table has nothing left to save.</summary>
    bool IsClosed { get; }
}
