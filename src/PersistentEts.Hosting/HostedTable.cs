using System.Linq.Expressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PersistentEts.Hosting;

/// <summary>The shutdown side of a hosted table, as the hosted service sees every table.</summary>
internal interface IHostedTable
{
    string Name { get; }

    /// <summary>Opens the table (loading its file) if not yet open.</summary>
    void Open();

    /// <summary>Saves (synced) and ends the owner, if the table was ever opened; throws when the final save loses something.</summary>
    void Close();
}

/// <summary>
/// Owns one persistent table for the host: opened on first use (or at start), saved and closed when the
/// host has stopped. Services get non-owner handles, with the rights the table's protection gives a
/// non-owner; only this object owns the table.
/// </summary>
internal sealed class HostedTable<TKey, TObject>(
    string name,
    Expression<Func<TObject, TKey>> key,
    IOptionsMonitor<PersistentTableSettings> settings,
    ILoggerFactory loggers) : IHostedTable where TKey : notnull
{
    private readonly Lazy<EtsTable<TKey, TObject>> _owner = new(() => Open(name, key, settings, loggers), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Name => name;

    /// <summary>
    /// The read-write handle services use: public tables only, as in ETS only the owner writes to a
    /// protected or private table. Throws <see cref="TableAccessException"/> otherwise.
    /// </summary>
    public IEtsTable<TKey, TObject> Table => _owner.Value.Share();

    /// <summary>The read-only handle services use: public and protected tables; private ones throw <see cref="TableAccessException"/>.</summary>
    public IReadOnlyEtsTable<TKey, TObject> ReadOnlyTable => _owner.Value.ShareReadOnly();

    /// <summary>Opens the table now (the hosted service does this at start so a bad file fails the start).</summary>
    public void Open() => _ = _owner.Value;

    private static EtsTable<TKey, TObject> Open(string name, Expression<Func<TObject, TKey>> key,
        IOptionsMonitor<PersistentTableSettings> settings, ILoggerFactory loggers)
    {
        var s = settings.Get(name);
        if (string.IsNullOrWhiteSpace(s.Path))
            throw new EtsArgumentException("Path", $"Persistent table '{name}' has no Path (configure PersistentEts:Tables:{name}:Path).");
        // A data directory named in configuration is the host's to make, as a database server makes its own.
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(s.Path));
        if (directory is not null) Directory.CreateDirectory(directory);
        return PersistentTable.New(name, s.Path, key, s.ToOptions(loggers.CreateLogger($"PersistentEts.{name}")));
    }

    public void Close()
    {
        if (!_owner.IsValueCreated) return;
        // Ending the owner saves the table; writes racing it either are in that save or throw.
        _owner.Value.Dispose();
    }
}
