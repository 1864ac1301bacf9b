using PersistentEts.Persistence;
using PersistentEts.Tables;

namespace PersistentEts;

/// <summary>
/// The owner handle <see cref="PersistentTable.New{TKey, TObject}"/> returns: an ordinary
/// <see cref="EtsTable{TKey, TObject}"/> whose <see cref="Persistence"/> is always there, so saving code
/// needs no null check.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TObject">The stored object type.</typeparam>
public sealed class PersistentEtsTable<TKey, TObject> : EtsTable<TKey, TObject> where TKey : notnull
{
    internal PersistentEtsTable(TableCore<TKey, TObject> core)
        : base(core)
    {
        if (core.Durability is not TablePersistence) throw new ArgumentException("A persistent table's core saves itself.", nameof(core));
    }

    /// <summary>The table's save loop: flush, the last save, the last error.</summary>
    public new TablePersistence Persistence => base.Persistence!;

    /// <summary>As <see cref="EtsTable{TKey, TObject}.GiveAway"/>: the new owner's handle is persistent too.</summary>
    /// <param name="newOwnerLifetime">Optional lifetime of the new owner: when it is cancelled, the owner ends.</param>
    public new PersistentEtsTable<TKey, TObject> GiveAway(CancellationToken newOwnerLifetime = default) =>
        (PersistentEtsTable<TKey, TObject>)base.GiveAway(newOwnerLifetime);
}
