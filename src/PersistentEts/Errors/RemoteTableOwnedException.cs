namespace PersistentEts;

/// <summary>
/// A remote table is owned by someone else: its lease is held by another owner (another machine, or another
/// process) and has not lapsed. One owner per table, across machines as on one disk.
/// </summary>
public sealed class RemoteTableOwnedException : RemoteStoreException
{
    /// <summary>Creates the exception.</summary>
    public RemoteTableOwnedException(string objectName, string holder, Exception? innerException = null)
        : base(objectName, $"the table is owned by {holder}, whose lease is live; a remote table has one owner at a time " +
            "(the lease lapses within its duration after the owner dies)", innerException) => Holder = holder;

    /// <summary>Who holds the lease, as it named itself (<see cref="Persistence.Remote.RemoteOptions.Holder"/>).</summary>
    public string Holder { get; }
}
