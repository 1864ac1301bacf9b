namespace PersistentEts;

/// <summary>
/// This owner lost its lease on a remote table (it lapsed while the process was paused or cut off, and
/// another owner may have taken the table): the store refuses its writes, so nothing it writes from now on
/// reaches the remote table. The local files are unaffected; reopen the table to own it again.
/// </summary>
public sealed class RemoteLeaseLostException : RemoteStoreException
{
    /// <summary>Creates the exception.</summary>
    public RemoteLeaseLostException(string objectName, string problem, Exception? innerException = null)
        : base(objectName, problem, innerException) { }
}
