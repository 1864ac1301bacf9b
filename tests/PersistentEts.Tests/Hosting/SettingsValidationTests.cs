using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PersistentEts.Hosting;

namespace PersistentEts.Tests.Hosting;

/// <summary>A hosted table's settings are checked when the host starts, one case per setting that can be wrong, before any file is made.</summary>
public sealed class SettingsValidationTests : IDisposable
{
    public sealed record Session(string Id);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("Path", "", "has no Path")]
    [InlineData("PersistEverySeconds", "0", "PersistEvery must be more than zero")]
    [InlineData("PersistEverySeconds", "NaN", "PersistEverySeconds must be a finite number")]
    [InlineData("LogSyncIntervalMilliseconds", "-5", "LogSyncInterval must be more than zero")]
    [InlineData("Durability", "42", "Unknown durability mode 42")]
    [InlineData("LogSync", "42", "Unknown log sync policy 42")]
    [InlineData("Type", "42", "Unknown table type 42")]
    [InlineData("Protection", "42", "Unknown protection 42")]
    public async Task AnInvalidSetting_FailsTheStart_NamingTheTableAndTheSetting(string setting, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PersistentEts:Tables:sessions:Path"] = _dir.File("sessions.pets"),
            [$"PersistentEts:Tables:sessions:{setting}"] = value,
        });
        builder.Services.AddPersistentEts("sessions", (Session s) => s.Id);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<EtsArgumentException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message);
        Assert.Contains("'sessions'", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }
}
