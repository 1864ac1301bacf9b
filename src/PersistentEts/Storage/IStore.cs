namespace PersistentEts.Storage;

/// <summary>
/// A key → bucket map with the locking discipline every table type shares. What only one kind of store
/// can do is on its own type: key order on <see cref="IOrderedStore{TKey, TBucket}"/>, walks by hash and
/// snapshot partitions on <see cref="HashStore{TKey, TBucket}"/>.
/// </summary>
/// <remarks>
/// Writers take the stripe lock of the key (<see cref="LockOf"/>) and then call the <c>*Locked</c>
/// members; operations that touch many keys take several stripes in ascending order
/// (see <see cref="StripedLocks"/>), so they never deadlock with each other. Readers call
/// <see cref="TryGet"/>, which needs no lock but still never sees half of a multi-key write.
/// </remarks>
internal interface IStore<TKey, TBucket> where TKey : notnull
{
    /// <summary>Number of lock stripes; stripe indices run from 0 to this minus one.</summary>
    int StripeCount { get; }

    /// <summary>Number of keys; exact while all stripes are held, a good estimate otherwise.</summary>
    int KeyCount { get; }

    /// <summary>The stripe guarding <paramref name="key"/>.</summary>
    int StripeOf(TKey key);

    /// <summary>The lock object of a stripe.</summary>
    object LockOf(int stripe);

    /// <summary>Reads a key's bucket, isolated from multi-key writes.</summary>
    bool TryGet(TKey key, out TBucket bucket);

    /// <summary>Reads a key's bucket; the caller holds the key's stripe lock.</summary>
    bool TryGetLocked(TKey key, out TBucket bucket);

    /// <summary>Adds or replaces a key's bucket; true when the key was new. The caller holds the key's stripe lock.</summary>
    bool SetLocked(TKey key, TBucket bucket);

    /// <summary>Removes a key; the caller holds the key's stripe lock.</summary>
    bool RemoveLocked(TKey key);

    /// <summary>Removes every key; the caller holds every stripe lock.</summary>
    void ClearLocked();

    /// <summary>Marks the start and end of a multi-key write so that lock-free readers wait for it.</summary>
    void EnterMultiKeyWrite();

    /// <summary>Ends what <see cref="EnterMultiKeyWrite"/> began.</summary>
    void ExitMultiKeyWrite();
}
