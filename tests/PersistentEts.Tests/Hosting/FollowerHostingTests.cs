using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using PersistentEts.Hosting;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;
using PersistentEts.Tests.Remote;

namespace PersistentEts.Tests.Hosting;

/// <summary>
/// A follower in a real host: opened when the host starts, resolved by name, Healthy while it keeps up,
/// Degraded once it lags past its bound, Healthy again once it caught up.
/// </summary>
public sealed class FollowerHostingTests : IDisposable
{
    public sealed record Flag(string Name, bool On);

    private readonly TempDirectory _store = new();
    private readonly TempDirectory _owner = new();

    public void Dispose()
    {
        _store.Dispose();
        _owner.Dispose();
    }

    private PersistentTableOptions Options(IRemoteTableStore store) => new()
    {
        PersistEvery = TimeSpan.FromHours(1),
        Durability = DurabilityMode.Log,
        Remote = new RemoteOptions { Store = store, Holder = "flags owner" },
    };

    private static async Task<HealthReportEntry> Check(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["persistent-ets-follower:flags"];

    private static async Task<HealthReportEntry> WaitFor(IHost host, HealthStatus status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var entry = await Check(host);
            if (entry.Status == status || DateTime.UtcNow > deadline) return entry;
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task AHostedFollower_IsHealthyWhileItKeepsUp_DegradedWhenItLagsPastItsBound()
    {
        using var owner = PersistentTable.New("flags", _owner.File("flags.pets"), (Flag f) => f.Name, Options(new DirectoryTableStore(_store.Path)));
        owner.Insert(new Flag("dark-mode", true));
        var gated = new GatedStore(new DirectoryTableStore(_store.Path));

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPersistentEtsFollower("flags", (Flag f) => f.Name, _ => Options(gated),
            new FollowerOptions { PollInterval = TimeSpan.FromMilliseconds(10), LagBound = TimeSpan.FromMilliseconds(300) });
        builder.Services.AddHealthChecks().AddPersistentEtsFollower("flags");
        using var host = builder.Build();
        await host.StartAsync();

        var flags = host.Services.GetRequiredKeyedService<IReadOnlyEtsTable<string, Flag>>("flags");
        Assert.True(flags.TryLookup("dark-mode", out var flag) && flag.On);
        Assert.Equal(HealthStatus.Healthy, (await WaitFor(host, HealthStatus.Healthy)).Status);

        gated.Close(); // the follower cannot read its store
        owner.Insert(new Flag("beta", true));
        var lagging = await WaitFor(host, HealthStatus.Degraded);
        Assert.Equal(HealthStatus.Degraded, lagging.Status);
        Assert.Contains("more than its bound", lagging.Description);
        Assert.False(flags.Contains("beta"));

        gated.Open();
        Assert.Equal(HealthStatus.Healthy, (await WaitFor(host, HealthStatus.Healthy)).Status);
        var follower = host.Services.GetRequiredKeyedService<FollowerTable<string, Flag>>("flags");
        Assert.True(follower.WaitForPosition(owner.Persistence.LogPosition!.Value, TimeSpan.FromSeconds(30)));
        Assert.True(flags.Contains("beta"));
        await host.StopAsync();
    }
}
