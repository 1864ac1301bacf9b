namespace PersistentEts;

/// <summary>
/// A remote store (see <see cref="Persistence.Remote.IRemoteTableStore"/>) refused or failed an operation
/// on one of its objects: the object is named, with what was wrong. Local files are never changed by it.
/// </summary>
public class RemoteStoreException : EtsException
{
    /// <summary>Creates the exception.</summary>
    public RemoteStoreException(string objectName, string problem, Exception? innerException = null)
        : base($"Remote object '{objectName}': {problem}.", innerException)
    {
        ObjectName = objectName;
        Problem = problem;
    }

    /// <summary>The remote object: container and blob, bucket and key, as the store names it.</summary>
    public string ObjectName { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
