namespace PersistentEts;

/// <summary>Who may read and write a table, the counterpart of ETS's access options.</summary>
/// <remarks>
/// In ETS the owner is a process; here it is the owner handle, the <see cref="EtsTable{TKey, TObject}"/>
/// returned by <see cref="Ets.New{TKey, TObject}(string, System.Linq.Expressions.Expression{Func{TObject, TKey}}, TableOptions?, IComparer{TKey}?, IEqualityComparer{TKey}?, IEqualityComparer{TObject}?, CancellationToken)"/>
/// or by a give-away. Every other handle is a non-owner.
/// </remarks>
public enum TableProtection
{
    /// <summary>Any handle reads and writes (ETS <c>public</c>).</summary>
    Public,

    /// <summary>The owner reads and writes; others only read (ETS <c>protected</c>, the default).</summary>
    Protected,

    /// <summary>Only the owner reads or writes (ETS <c>private</c>).</summary>
    Private,
}
