namespace PersistentEts.Persistence.Remote;

/// <summary>
/// An owner's lease on a remote table, as its store issued it. Writes that advance the table (the manifest)
/// carry it, and the store refuses them once the lease is no longer this owner's: that is the fencing.
/// </summary>
/// <param name="Id">The store's identifier of the lease.</param>
/// <param name="Holder">Who holds it (<see cref="RemoteOptions.Holder"/>).</param>
/// <param name="Duration">How long the lease lasts unless renewed.</param>
public sealed record RemoteLease(string Id, string Holder, TimeSpan Duration);
