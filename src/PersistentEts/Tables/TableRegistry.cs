using System.Collections.Concurrent;

namespace PersistentEts.Tables;

/// <summary>
/// Every live table of the process, and the names of the named ones (the ETS name registry).
/// </summary>
internal sealed class TableRegistry
{
    private readonly ConcurrentDictionary<long, ITableRegistration> _all = new();
    private readonly Dictionary<string, ITableRegistration> _named = new(StringComparer.Ordinal);

    // Guards _named and name changes, so that a rename can never race with a create of the same name.
    private readonly object _namesLock = new();

    public void Add<TKey, TObject>(TableCore<TKey, TObject> core) where TKey : notnull
    {
        if (core.Options.NamedTable)
        {
            lock (_namesLock)
            {
                if (_named.ContainsKey(core.Name))
                    throw new TableNameException(core.Name, $"A named table called '{core.Name}' already exists.");
                _named.Add(core.Name, core);
            }
        }
        _all[core.Id] = core;
    }

    public void Rename<TKey, TObject>(TableCore<TKey, TObject> core, string newName) where TKey : notnull
    {
        lock (_namesLock)
        {
            if (core.Options.NamedTable)
            {
                if (_named.TryGetValue(newName, out var other) && !ReferenceEquals(other, core))
                    throw new TableNameException(newName, $"Cannot rename '{core.Name}': a named table called '{newName}' already exists.");
                _named.Remove(core.Name);
                _named[newName] = core;
            }
            core.Name = newName;
        }
    }

    /// <summary>Destroys a table and forgets it; the caller holds the table's owner lock.</summary>
    public void Destroy<TKey, TObject>(TableCore<TKey, TObject> core) where TKey : notnull
    {
        lock (_namesLock)
        {
            if (_named.TryGetValue(core.Name, out var registered) && ReferenceEquals(registered, core))
                _named.Remove(core.Name);
        }
        _all.TryRemove(core.Id, out _);
        core.MarkDestroyed();
    }

    public EtsTable<TKey, TObject> Find<TKey, TObject>(string name) where TKey : notnull =>
        TryFind<TKey, TObject>(name) ?? throw new TableNameException(name ?? "", $"No named table called '{name}' exists.");

    /// <summary>The live named table, or null when there is none; throws when it holds other types.</summary>
    public EtsTable<TKey, TObject>? TryFind<TKey, TObject>(string name) where TKey : notnull
    {
        ITableRegistration? found;
        lock (_namesLock) _named.TryGetValue(name ?? "", out found);
        if (found is null || found.IsDestroyed) return null;
        if (found is not TableCore<TKey, TObject> core)
            throw new TableNameException(name!, $"Table '{name}' holds {found.ObjectType.Name} keyed by {found.KeyType.Name}, " +
                $"not {typeof(TObject).Name} keyed by {typeof(TKey).Name}.");
        return new EtsTable<TKey, TObject>(core);
    }

    public bool IsRegistered(string name)
    {
        lock (_namesLock) return name is not null && _named.ContainsKey(name);
    }

    public IReadOnlyList<TableInfo> All() =>
        _all.Values.Where(t => !t.IsDestroyed).Select(t => t.Info()).OrderBy(i => i.Id).ToArray();
}
