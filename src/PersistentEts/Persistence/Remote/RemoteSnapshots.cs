using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence.Remote;

/// <summary>Reading a remote table's snapshot generations without opening the table (for tools and recovery).</summary>
public static class RemoteSnapshots
{
    /// <summary>
    /// Downloads generation <paramref name="generation"/> of the table in <paramref name="store"/> to
    /// <paramref name="path"/>, checked whole (structure and every checksum) before it replaces anything
    /// there. Use it to go back to an older generation when the newest is damaged: fetch it, then open
    /// the table on that file. Refused with <see cref="TableFileInUseException"/> while a table owns the file.
    /// </summary>
    /// <exception cref="RemoteStoreException">The generation does not exist, cannot be read, or is damaged.</exception>
    public static void Fetch(IRemoteTableStore store, long generation, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        var fs = PhysicalFileSystem.Instance;
        var canonical = fs.Canonical(TableFiles.CheckPath(fs, path));
        using var ownership = TableFileOwnership.Acquire(fs, canonical, "fetch");
        RemoteReplica.Restore(store, generation, canonical, fs);
    }
}
