using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PersistentEts.Hosting;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Hosting;

public sealed class HostingTests : IDisposable
{
    public sealed record Session(string Id, string User);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IHost BuildHost(string path)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PersistentEts:Tables:sessions:Path"] = path,
            ["PersistentEts:Tables:sessions:PersistEverySeconds"] = "3600",
            ["PersistentEts:Tables:sessions:Durability"] = "Snapshot",
        });
        builder.Services.AddPersistentEts("sessions", (Session s) => s.Id);
        return builder.Build();
    }

    [Fact]
    public async Task GracefulStop_SavesTheTable_AndTheNextHostGetsItBack()
    {
        var path = _dir.File("sessions.pets");
        using (var host = BuildHost(path))
        {
            await host.StartAsync();
            var table = host.Services.GetRequiredService<IEtsTable<string, Session>>();
            table.Insert(new Session("s1", "alice"));
            table.Insert(new Session("s2", "bob"));
            await host.StopAsync();
        }
        Assert.Equal(2, Snapshot.ReadInfo(path).ObjectCount);
        using (var host = BuildHost(path))
        {
            await host.StartAsync();
            var reader = host.Services.GetRequiredService<IReadOnlyEtsTable<string, Session>>();
            Assert.Equal("alice", reader.Lookup("s1")[0].User);
            Assert.Equal(2, reader.Count);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task MissingPath_FailsTheStart_WithATypedError()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPersistentEts("nopath", (Session s) => s.Id);
        using var host = builder.Build();
        await Assert.ThrowsAsync<EtsArgumentException>(() => host.StartAsync());
    }

    /// <summary>
    /// A worker as the <c>dotnet new worker</c> template registers it, before the tables: it writes while it
    /// stops, after the tables' own hosted service was asked to stop.
    /// </summary>
    private sealed class LastWordWorker(IEtsTable<string, Session> sessions) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            sessions.Insert(new Session("last", "written while stopping"));
        }
    }

    [Fact]
    public async Task AWorkerRegisteredFirst_CanStillWriteWhileItStops_AndThatWriteIsSaved()
    {
        var path = _dir.File("sessions.pets");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHostedService<LastWordWorker>(); // the template's order: the worker first
        builder.Services.AddPersistentEts("sessions", (Session s) => s.Id, s =>
        {
            s.Path = path;
            s.PersistEverySeconds = 3600;
        });
        using (var host = builder.Build())
        {
            await host.StartAsync();
            await host.StopAsync();
        }
        using var back = PersistentTable.New("sessions", path, (Session s) => s.Id);
        Assert.Equal("written while stopping", back.Lookup("last")[0].User);
    }

    [Fact]
    public async Task ServicesGetNonOwnerHandles_WithTheRightsTheProtectionGives()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPersistentEts("guarded", (Session s) => s.Id, s =>
        {
            s.Path = _dir.File("guarded.pets");
            s.Protection = TableProtection.Protected;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var reader = host.Services.GetRequiredService<IReadOnlyEtsTable<string, Session>>();
        Assert.Equal(0, reader.Count);
        Assert.False(((EtsTable<string, Session>)reader).IsOwner);
        ((EtsTable<string, Session>)reader).Dispose(); // a service cannot end the table
        Assert.Equal(0, reader.Count);
        var e = Assert.Throws<TableAccessException>(() => host.Services.GetRequiredService<IEtsTable<string, Session>>());
        Assert.Contains("protected", e.Message);
        await host.StopAsync();
    }

    [Fact]
    public async Task AMissingDataDirectory_IsCreatedAtStart()
    {
        var path = Path.Combine(_dir.Path, "data", "nested", "sessions.pets");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddPersistentEts("sessions", (Session s) => s.Id, s => s.Path = path);
        using var host = builder.Build();
        await host.StartAsync();
        host.Services.GetRequiredService<IEtsTable<string, Session>>().Insert(new Session("a", "b"));
        await host.StopAsync();
        Assert.Equal(1, Snapshot.ReadInfo(path).ObjectCount);
    }
}
