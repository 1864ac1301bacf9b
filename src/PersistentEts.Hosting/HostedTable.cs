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

    /// <summary>Saves (synced) and ends the owner, if the table was ever opened.</summary>
    void Close();
}

/// <summary>
/// Owns one persistent table for the host: opened on first use (or at start), flushed and closed when the
/// host stops. Services get a non-owner handle; only this object owns the table.
/// </summary>
internal sealed class HostedTable<TKey, TObject>(
    string name,
    Expression<Func<TObject, TKey>> key,
    IOptionsMonitor<PersistentTableSettings> settings,
    ILoggerFactory loggers) : IHostedTable where TKey : notnull
{
    private readonly Lazy<EtsTable<TKey, TObject>> _owner = new(() => Open(name, key, settings, loggers), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Name => name;

    /// <summary>The handle services use (read and write for public tables).</summary>
    public IEtsTable<TKey, TObject> Table => _owner.Value.Info().Protection == TableProtection.Public ? _owner.Value.Share() : _owner.Value;

    /// <summary>Opens the table now (the hosted service does this at start so a bad file fails the start).</summary>
    public void Open() => _ = _owner.Value;

    private static EtsTable<TKey, TObject> Open(string name, Expression<Func<TObject, TKey>> key,
        IOptionsMonitor<PersistentTableSettings> settings, ILoggerFactory loggers)
    {
        var s = settings.Get(name);
        if (string.IsNullOrWhiteSpace(s.Path))
            throw new EtsArgumentException("Path", $"Persistent table '{name}' has no Path (configure PersistentEts:Tables:{name}:Path).");
        return PersistentTable.New(name, s.Path, key, s.ToOptions(loggers.CreateLogger($"PersistentEts.{name}")));
    }

    public void Close()
    {
        if (!_owner.IsValueCreated) return;
        var owner = _owner.Value;
        if (owner.IsOwner)
        {
            owner.Persistence?.Flush();
            owner.Dispose();
        }
    }
}
