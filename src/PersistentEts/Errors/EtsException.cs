namespace PersistentEts;

/// <summary>
/// The base type of every exception the library throws on purpose. Catch it to handle any
/// table, argument or file problem the library reports.
/// </summary>
public class EtsException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public EtsException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public EtsException(string message, Exception? innerException) : base(message, innerException) { }
}
