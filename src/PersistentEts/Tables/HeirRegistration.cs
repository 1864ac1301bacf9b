namespace PersistentEts.Tables;

/// <summary>An heir: who inherits the table when its owner ends, and what it is told.</summary>
internal sealed record HeirRegistration<TKey, TObject>(
    Action<EtsTable<TKey, TObject>, object?> Inherit,
    object? HeirData,
    CancellationToken HeirLifetime) where TKey : notnull;
