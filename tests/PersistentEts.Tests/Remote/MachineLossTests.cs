using System.Diagnostics;
using System.Globalization;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// The kill harness's machine-loss mode against the emulator: a writer process with its table's log in the
/// store (remote Always) is killed, its directory deleted and its lease broken, and the table is checked on
/// a fresh directory, restored from the store alone.
/// </summary>
[Collection(nameof(RemoteCollection))]
public sealed class MachineLossTests(AzuriteFixture azurite)
{
    [AzuriteFact]
    public void AMachineThatIsLost_LosesNoAcknowledgedWrite_WithTheRemoteLogAlways()
    {
        const int iterations = 10;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "PersistentEts.Crash.dll"),
                     "--mode", "machine-loss", "--iterations", iterations.ToString(CultureInfo.InvariantCulture), "--seed", "20261130" })
            start.ArgumentList.Add(a);
        start.Environment["PETS_CRASH_AZURE"] = azurite.Server.ConnectionString;
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var f = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1].Trim());
        Assert.True(f.ContainsKey("iterations"), $"harness printed no figures: {output} {stderr.Result}");
        Assert.Equal(iterations.ToString(CultureInfo.InvariantCulture), f["iterations"]);
        Assert.True(long.Parse(f["acknowledged"], CultureInfo.InvariantCulture) > 0, "nothing was acknowledged: the harness tested nothing");
        Assert.Equal("0", f["failed_opens"]);
        Assert.Equal("0", f["corrupt_loads"]);
        Assert.Equal("0", f["lost_acknowledged"]);
        Assert.Equal("0", f["phantom"]);
    }
}
