namespace PersistentEts;

/// <summary>
/// One page of a limited select, the counterpart of ETS's <c>{Matches, Continuation}</c>.
/// </summary>
/// <typeparam name="TResult">What the select returns for each matching object.</typeparam>
/// <param name="Items">The results of this page, at most the limit asked for.</param>
/// <param name="Continuation">Where the next page starts, or null when the traversal has ended
/// (ETS's <c>'$end_of_table'</c>).</param>
public sealed record SelectPage<TResult>(IReadOnlyList<TResult> Items, SelectContinuation<TResult>? Continuation)
{
    /// <summary>True when no further page exists.</summary>
    public bool IsEnd => Continuation is null;
}

/// <summary>
/// An opaque position in a limited select. Pass it to <c>Select(continuation)</c> on the same table to
/// get the next page. It holds no locks; objects written after it was made may or may not be seen,
/// and no object is returned twice.
/// </summary>
/// <typeparam name="TResult">What the select returns for each matching object.</typeparam>
public sealed class SelectContinuation<TResult>
{
    internal SelectContinuation(object table, object spec, int limit, bool descending, object position)
    {
        Table = table;
        Spec = spec;
        Limit = limit;
        Descending = descending;
        Position = position;
    }

    internal object Table { get; }

    internal object Spec { get; }

    internal int Limit { get; }

    internal bool Descending { get; }

    // Ordered tables: the last key visited. Hashed tables: a HashedCursor over a copy of the keys.
    internal object Position { get; }
}
