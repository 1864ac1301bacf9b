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
    ValueTask CloseAsync();

    /// <summary>Where the table is in its life.</summary>
    HostedTableState State { get; }

    /// <summary>Why opening failed, when <see cref="State"/> is <see cref="HostedTableState.Failed"/>.</summary>
    Exception? OpenFailure { get; }

    /// <summary>Objects in the table; 0 unless it is open.</summary>
    long Count { get; }

    /// <summary>The table's saving side, once it is open.</summary>
    Persistence.TablePersistence? Persistence { get; }

    /// <summary>How often the table saves.</summary>
    TimeSpan PersistEvery { get; }
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
    // A failed open is cached by the Lazy too: the table stays failed, as the host's start did.
    private readonly Lazy<EtsTable<TKey, TObject>> _owner = new(() => Open(name, key, settings, loggers), LazyThreadSafetyMode.ExecutionAndPublication);

    // Moves NotOpened → Loading → Open or Failed → Closed; written by whoever opens or closes, read by health checks.
    private volatile HostedTableState _state;
    private volatile Exception? _openFailure;

    public string Name => name;

    public HostedTableState State => _state;

    public Exception? OpenFailure => _openFailure;

    public long Count => _state == HostedTableState.Open ? _owner.Value.Count : 0;

    public Persistence.TablePersistence? Persistence => _state is HostedTableState.Open or HostedTableState.Closed ? _owner.Value.Persistence : null;

    public TimeSpan PersistEvery => TimeSpan.FromSeconds(settings.Get(name).PersistEverySeconds);

    // Opens on first use, keeping the state the health check reports.
    private EtsTable<TKey, TObject> Owner()
    {
        if (_owner.IsValueCreated) return _owner.Value;
        if (_state == HostedTableState.NotOpened) _state = HostedTableState.Loading;
        try
        {
            var owner = _owner.Value;
            if (_state == HostedTableState.Loading) _state = HostedTableState.Open;
            return owner;
        }
        catch (Exception e)
        {
            _openFailure = e;
            _state = HostedTableState.Failed;
            throw;
        }
    }

    /// <summary>
    /// The read-write handle services use: public tables only, as in ETS only the owner writes to a
    /// protected or private table. Throws <see cref="TableAccessException"/> otherwise.
    /// </summary>
    public IEtsTable<TKey, TObject> Table => Owner().Share();

    /// <summary>The read-only handle services use: public and protected tables; private ones throw <see cref="TableAccessException"/>.</summary>
    public IReadOnlyEtsTable<TKey, TObject> ReadOnlyTable => Owner().ShareReadOnly();

    /// <summary>Opens the table now (the hosted service does this at start so a bad file fails the start).</summary>
    public void Open() => _ = Owner();

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

    public async ValueTask CloseAsync()
    {
        if (!_owner.IsValueCreated) return;
        // Ending the owner saves the table (by awaited I/O); writes racing it either are in that save or throw.
        await _owner.Value.DisposeAsync().ConfigureAwait(false);
        _state = HostedTableState.Closed;
    }
}
