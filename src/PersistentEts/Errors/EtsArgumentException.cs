namespace PersistentEts;

/// <summary>
/// An argument was invalid: a null key or object, a negative limit, a foreign continuation,
/// or a change that would alter an object's key. The counterpart of ETS's <c>badarg</c>.
/// </summary>
public sealed class EtsArgumentException : EtsException
{
    /// <summary>Creates the exception for the named parameter.</summary>
    public EtsArgumentException(string? paramName, string message)
        : base(paramName is null ? message : $"{message} (parameter '{paramName}')")
    {
        ParamName = paramName;
    }

    /// <summary>Creates the exception with the exception that caused it.</summary>
    public EtsArgumentException(string? paramName, string message, Exception? innerException)
        : base(paramName is null ? message : $"{message} (parameter '{paramName}')", innerException)
    {
        ParamName = paramName;
    }

    /// <summary>The name of the parameter that was invalid, when there is one.</summary>
    public string? ParamName { get; }
}
