using System.Linq.Expressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PersistentEts.Hosting;

/// <summary>Registers persistent ETS tables with a Generic Host.</summary>
public static class PersistentEtsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the persistent table <paramref name="name"/>: its settings bind from
    /// <c>PersistentEts:Tables:{name}</c>, then <paramref name="configure"/> runs. Services resolve
    /// non-owner handles: <see cref="IReadOnlyEtsTable{TKey, TObject}"/> for public and protected tables, and
    /// <see cref="IEtsTable{TKey, TObject}"/> for public ones (the default protection here); the owner stays
    /// with the host. The table opens when the host starts (its data directory is created if missing) and is
    /// saved and closed after every hosted service has stopped, whatever the registration order.
    /// </summary>
    public static IServiceCollection AddPersistentEts<TKey, TObject>(this IServiceCollection services, string name,
        Expression<Func<TObject, TKey>> key, Action<PersistentTableSettings>? configure = null) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(name)) throw new EtsArgumentException(nameof(name), "A table name may not be blank.");
        if (key is null) throw new EtsArgumentException(nameof(key), "A table needs a key selector.");
        var builder = services.AddOptions<PersistentTableSettings>(name).BindConfiguration($"PersistentEts:Tables:{name}");
        if (configure is not null) builder.Configure(configure);
        // Checked when the host starts, before any table opens (see PersistentTableSettingsValidator).
        builder.ValidateOnStart();
        services.AddSingleton(new HostedTableName(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PersistentTableSettings>, PersistentTableSettingsValidator>());
        services.AddSingleton(sp => new HostedTable<TKey, TObject>(name, key,
            sp.GetRequiredService<IOptionsMonitor<PersistentTableSettings>>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IHostedTable>(sp => sp.GetRequiredService<HostedTable<TKey, TObject>>());
        services.AddSingleton(sp => sp.GetRequiredService<HostedTable<TKey, TObject>>().Table);
        services.AddSingleton(sp => sp.GetRequiredService<HostedTable<TKey, TObject>>().ReadOnlyTable);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PersistentEtsHostedService>());
        return services;
    }
}
