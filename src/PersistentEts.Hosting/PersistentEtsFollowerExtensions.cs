using System.Linq.Expressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Hosting;

/// <summary>Followers of remote tables (<see cref="PersistentTable.Follow{TKey, TObject}"/>) in a Generic Host.</summary>
public static class PersistentEtsFollowerExtensions
{
    /// <summary>
    /// Registers a follower of the remote table <paramref name="name"/>, opened when the host starts (a
    /// failure to open fails the start) and stopped when the host's services are disposed. Services resolve
    /// it by <paramref name="name"/> as a keyed <see cref="FollowerTable{TKey, TObject}"/>,
    /// <see cref="IReadOnlyEtsTable{TKey, TObject}"/> or <see cref="IFollowerTable"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The table's name.</param>
    /// <param name="key">The key selector, as its owner has it.</param>
    /// <param name="options">The table's options as its owner opens it, <see cref="PersistentTableOptions.Remote"/> naming the store; the host's logger is used unless they name one.</param>
    /// <param name="follower">How the follower polls, and the lag past which its health check reports Degraded.</param>
    public static IServiceCollection AddPersistentEtsFollower<TKey, TObject>(this IServiceCollection services, string name,
        Expression<Func<TObject, TKey>> key, Func<IServiceProvider, PersistentTableOptions> options, FollowerOptions? follower = null) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(name)) throw new EtsArgumentException(nameof(name), "A table name may not be blank.");
        if (key is null) throw new EtsArgumentException(nameof(key), "A follower needs the table's key selector.");
        if (options is null) throw new EtsArgumentException(nameof(options), "A follower needs the table's options, with Remote naming its store.");
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var given = options(sp);
            var logger = given.Logger ?? sp.GetService<ILoggerFactory>()?.CreateLogger($"PersistentEts.Follower.{name}");
            return PersistentTable.Follow(name, key, given with { Logger = logger }, follower);
        });
        services.AddKeyedSingleton<IReadOnlyEtsTable<TKey, TObject>>(name, (sp, k) => sp.GetRequiredKeyedService<FollowerTable<TKey, TObject>>(k));
        services.AddKeyedSingleton<IFollowerTable>(name, (sp, k) => sp.GetRequiredKeyedService<FollowerTable<TKey, TObject>>(k));
        services.AddSingleton<IHostedService>(sp => new FollowerStart(() => sp.GetRequiredKeyedService<IFollowerTable>(name)));
        return services;
    }

    /// <summary>Opens the follower when the host starts, so it is caught up before the host serves.</summary>
    private sealed class FollowerStart(Func<IFollowerTable> open) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            open();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
