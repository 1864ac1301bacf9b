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
}
