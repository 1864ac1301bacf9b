using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using PersistentEts.Hosting;

namespace PersistentEts.Tests.Hosting;

/// <summary>
/// A hosted table's health check in a real host: Unhealthy before it is loaded and when its open fails,
/// Healthy once loaded, Degraded after a failed save or when its file lags, Unhealthy once closed.
/// </summary>
public sealed class HealthCheckTests : IDisposable
{
    public sealed record Session(string Id, string User);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IHost BuildHost(string path, MovableClock? clock = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PersistentEts:Tables:sessions:Path"] = path,
            ["PersistentEts:Tables:sessions:PersistEverySeconds"] = "3600",
        });
        builder.Services.AddPersistentEts("sessions", (Session s) => s.Id);
        builder.Services.AddHealthChecks().AddPersistentEtsTable("sessions", tags: ["ready"]);
        if (clock is not null) builder.Services.AddSingleton<TimeProvider>(clock);
        return builder.Build();
    }

    private static async Task<HealthReportEntry> Check(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["persistent-ets:sessions"];

    [Fact]
    public async Task ATable_IsUnhealthyUntilLoaded_HealthyThen_DegradedAfterAFailedSave_UnhealthyOnceClosed()
    {
        var dataDir = Path.Combine(_dir.Path, "data");
        using var host = BuildHost(Path.Combine(dataDir, "sessions.pets"));

        var before = await Check(host);
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal("NotOpened", before.Data["state"]);
        Assert.Contains("not loaded yet", before.Description);

        await host.StartAsync();
        var table = host.Services.GetRequiredService<IEtsTable<string, Session>>();
        table.Insert(new Session("s1", "alice"));
        var loaded = await Check(host);
        Assert.Equal(HealthStatus.Healthy, loaded.Status);
        Assert.Equal(1L, loaded.Data["objects"]);

        // The data directory becomes a plain file: the next save cannot create its temporary file.
        Directory.Delete(dataDir, recursive: true);
        File.WriteAllText(dataDir, "not a directory");
        var persistence = ((EtsTable<string, Session>)table).Persistence!;
        Assert.ThrowsAny<EtsException>(() => persistence.Flush());
        var degraded = await Check(host);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("its last save failed", degraded.Description);
        Assert.NotNull(degraded.Exception);
        Assert.True(degraded.Data.ContainsKey("lastError"));

        File.Delete(dataDir);
        Directory.CreateDirectory(dataDir);
        persistence.Flush();
        Assert.Equal(HealthStatus.Healthy, (await Check(host)).Status);

        await host.StopAsync();
        var closed = await Check(host);
        Assert.Equal(HealthStatus.Unhealthy, closed.Status);
        Assert.Equal("Closed", closed.Data["state"]);
    }

    [Fact]
    public async Task ATableWhoseFileLags_MoreThanThreePeriods_IsDegraded()
    {
        var clock = new MovableClock();
        using var host = BuildHost(_dir.File("sessions.pets"), clock);
        await host.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await Check(host)).Status);

        clock.Ahead = TimeSpan.FromHours(2.9);
        Assert.Equal(HealthStatus.Healthy, (await Check(host)).Status);
        clock.Ahead = TimeSpan.FromHours(3.1);
        var lagging = await Check(host);
        Assert.Equal(HealthStatus.Degraded, lagging.Status);
        Assert.Contains("has not been up to date for", lagging.Description);
        await host.StopAsync();
    }

    [Fact]
    public async Task ATableWhoseOpenFailed_IsUnhealthy_WithTheError()
    {
        var path = _dir.File("sessions.pets");
        await File.WriteAllTextAsync(path, "not a snapshot");
        using var host = BuildHost(path);
        await Assert.ThrowsAnyAsync<EtsException>(() => host.StartAsync());

        var failed = await Check(host);
        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.Equal("Failed", failed.Data["state"]);
        Assert.IsType<SnapshotFileException>(failed.Exception);
        Assert.Contains(path, failed.Description);
    }

    [Fact]
    public async Task AHealthCheckOfAnUnregisteredTable_IsRefusedWhenResolved_NamingIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHealthChecks().AddPersistentEtsTable("missing");
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<EtsArgumentException>(() => host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync());
        Assert.Contains("No persistent table 'missing' is registered", e.Message);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void DegradedAfterPeriods_OfOneOrLess_IsRefused(double periods)
    {
        var services = new ServiceCollection();
        var e = Assert.Throws<EtsArgumentException>(() => services.AddHealthChecks().AddPersistentEtsTable("t", periods));
        Assert.Contains("degradedAfterPeriods must be a finite number above 1", e.Message);
    }
}
