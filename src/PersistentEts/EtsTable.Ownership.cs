using PersistentEts.Tables;

namespace PersistentEts;

public partial class EtsTable<TKey, TObject>
{
    // Set while this handle owns the table through a CancellationToken: cancelling it ends the owner.
    private CancellationTokenRegistration _lifetime;

    internal void BindLifetime(CancellationToken ownerLifetime)
    {
        if (!ownerLifetime.CanBeCanceled) return;
        _lifetime = ownerLifetime.Register(static h => ((EtsTable<TKey, TObject>)h!).EndOwnership(), this);
    }

    private void RequireOwner(string operation)
    {
        _core.EnsureAlive();
        if (!IsOwner) Throw.Access($"{operation} needs the owner of table '{_core.Name}', and this handle is not it.");
    }

    // A new owner's handle: a persistent table's owner keeps a persistent handle, whose Persistence is never null.
    private static EtsTable<TKey, TObject> OwnerHandle(TableCore<TKey, TObject> core) =>
        core.Durability is Persistence.TablePersistence ? new PersistentEtsTable<TKey, TObject>(core) : new EtsTable<TKey, TObject>(core);

    /// <summary>
    /// ETS <c>give_away/3</c>: makes a new owner handle and returns it; this handle keeps only a non-owner's
    /// rights. Hand the result to the new owner.
    /// </summary>
    /// <param name="newOwnerLifetime">Optional lifetime of the new owner: when it is cancelled, the owner ends.</param>
    public EtsTable<TKey, TObject> GiveAway(CancellationToken newOwnerLifetime = default)
    {
        EtsTable<TKey, TObject> next;
        lock (_core.OwnerLock)
        {
            RequireOwner(nameof(GiveAway));
            next = OwnerHandle(_core);
            _core.SetOwnerLocked(next);
        }
        _lifetime.Dispose();
        next.BindLifetime(newOwnerLifetime);
        return next;
    }

    /// <summary>
    /// ETS's <c>heir</c> option (<c>setopts(T, {heir, Pid, Data})</c>): when the owner ends, a new owner
    /// handle is passed to <paramref name="inherit"/> with <paramref name="heirData"/>, instead of the table
    /// being destroyed. The heir is used once. If <paramref name="heirLifetime"/> has been cancelled by then
    /// (the heir is gone), the table is destroyed as if no heir were set.
    /// </summary>
    public void SetHeir(Action<EtsTable<TKey, TObject>, object?> inherit, object? heirData = null, CancellationToken heirLifetime = default)
    {
        ArgumentNotNull(inherit, nameof(inherit));
        lock (_core.OwnerLock)
        {
            RequireOwner(nameof(SetHeir));
            _core.SetHeirLocked(new HeirRegistration<TKey, TObject>(inherit, heirData, heirLifetime));
        }
    }

    /// <summary>ETS <c>setopts(T, {heir, none})</c>: removes the heir.</summary>
    public void ClearHeir()
    {
        lock (_core.OwnerLock)
        {
            RequireOwner(nameof(ClearHeir));
            _core.SetHeirLocked(null);
        }
    }

    /// <summary>
    /// A non-owner handle with read and write rights, to share a <see cref="TableProtection.Public"/> table
    /// (the counterpart of passing the tid to another process).
    /// </summary>
    public IEtsTable<TKey, TObject> Share()
    {
        _core.EnsureAlive();
        if (_core.Options.Protection != TableProtection.Public)
            Throw.Access($"Table '{_core.Name}' is {_core.Options.Protection.ToString().ToLowerInvariant()}: only a public table can be shared for writing.");
        return new EtsTable<TKey, TObject>(_core);
    }

    /// <summary>A non-owner read-only handle, for public and protected tables.</summary>
    public IReadOnlyEtsTable<TKey, TObject> ShareReadOnly()
    {
        _core.EnsureAlive();
        if (_core.Options.Protection == TableProtection.Private)
            Throw.Access($"Table '{_core.Name}' is private: it cannot be shared.");
        return new EtsTable<TKey, TObject>(_core);
    }

    /// <summary>
    /// ETS <c>delete/1</c>: destroys the table now, whatever the heir. Owner only. A persistent table is
    /// saved first (the seed's <c>delete/1</c>): writes racing the delete either are in that save or throw
    /// <see cref="TableDestroyedException"/>. If the save fails and no write-ahead log holds the changes,
    /// the exception is thrown and the table stays alive.
    /// </summary>
    public void DeleteTable()
    {
        lock (_core.OwnerLock)
        {
            RequireOwner(nameof(DeleteTable));
            _core.Durability?.Close(rethrow: true);
            Ets.Registry.Destroy(_core);
        }
        _lifetime.Dispose();
    }

    /// <summary>
    /// Ends the owner, as when an ETS owner process exits: the heir inherits the table, or it is destroyed.
    /// Disposing a handle that is not (or no longer) the owner does nothing. Idempotent.
    /// </summary>
    /// <remarks>
    /// A persistent table is saved before it goes, and every write racing the end either is in that save or
    /// throws <see cref="TableDestroyedException"/>: none returns normally and is then lost. Like
    /// <see cref="Stream.Dispose()"/> when its flush fails, this throws <see cref="SnapshotFileException"/>
    /// when that final save fails and no write-ahead log holds the changes; the table then stays open (its
    /// save loop keeps retrying) and disposing again retries. With a log, a failed final save loses nothing
    /// (the log is replayed at the next open) and is only logged. When the owner ends through its lifetime
    /// token there is no caller to throw to: the failure is logged, kept in
    /// <see cref="Persistence.TablePersistence.LastError"/> and raised through
    /// <see cref="Persistence.TablePersistence.SaveFailed"/>, and the table likewise stays open.
    /// </remarks>
    /// <exception cref="SnapshotFileException">The final save failed and nothing else holds the changes since the last good save.</exception>
    public void Dispose() => EndOwnership(rethrow: true);

    /// <summary>
    /// As <see cref="Dispose"/>, with a persistent table's final save written by asynchronous I/O: no thread
    /// waits on the disk while the table is saved.
    /// </summary>
    /// <remarks>
    /// The guarantees are <see cref="Dispose"/>'s: every racing write is in the final save or throws
    /// <see cref="TableDestroyedException"/>, and when the final save fails without a log holding the
    /// changes this throws <see cref="SnapshotFileException"/> and the table stays open. The owner lock,
    /// which a thread cannot hold across an await, is not held during the save; an heir named meanwhile
    /// does not inherit a table whose files are already let go.
    /// </remarks>
    /// <exception cref="SnapshotFileException">The final save failed and nothing else holds the changes since the last good save.</exception>
    public async ValueTask DisposeAsync()
    {
        ITableDurability? closing;
        lock (_core.OwnerLock)
        {
            if (!IsOwner) return;
            var heir = _core.Heir;
            closing = heir is not null && !heir.HeirLifetime.IsCancellationRequested ? null : _core.Durability;
        }
        if (closing is not null) await closing.CloseAsync(rethrow: true, async: true).ConfigureAwait(false);
        // With the files let go, this only ends the owner: its Close finds nothing left to do.
        EndOwnership(rethrow: true);
    }

    private void EndOwnership() => EndOwnership(rethrow: false);

    private void EndOwnership(bool rethrow)
    {
        HeirRegistration<TKey, TObject>? heir = null;
        EtsTable<TKey, TObject>? heirHandle = null;
        lock (_core.OwnerLock)
        {
            if (!IsOwner) return;
            heir = _core.Heir;
            _core.SetHeirLocked(null);
            // A table whose files were let go (by an asynchronous end) has nothing to hand on: it only ends.
            if (heir is not null && !heir.HeirLifetime.IsCancellationRequested && _core.Durability is not { IsClosed: true })
            {
                heirHandle = OwnerHandle(_core);
                _core.SetOwnerLocked(heirHandle);
            }
            else
            {
                // A persistent table is saved before it goes; when that loses something it stays.
                if (_core.Durability is { } durability && !durability.Close(rethrow)) return;
                Ets.Registry.Destroy(_core);
            }
        }
        _lifetime.Dispose();
        if (heir is null || heirHandle is null) return;
        heirHandle.BindLifetime(heir.HeirLifetime);
        heir.Inherit(heirHandle, heir.HeirData);
    }
}
