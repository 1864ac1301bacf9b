namespace PersistentEts.Persistence.Log;

/// <summary>
/// Where the write-ahead log's bytes also go, beyond the machine (see <see cref="Remote.RemoteReplica"/>):
/// each remote segment is byte for byte its local file. A flush counts its records as written only once they
/// are shipped, so with <see cref="LogSync.Always"/> a write is acknowledged only when its record is in the
/// remote store too.
/// </summary>
internal interface IRemoteLog
{
    /// <summary>
    /// Appends <paramref name="bytes"/> to remote segment <paramref name="seq"/> at <paramref name="offset"/>
    /// (creating the segment when the offset is 0). Blocks until the store has them; throws
    /// <see cref="RemoteStoreException"/> when it does not.
    /// </summary>
    void Ship(long seq, long offset, ReadOnlyMemory<byte> bytes);
}
