using System.Diagnostics;
using System.Globalization;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// The kill harness's remote modes against the emulator, with writers in processes of their own: a machine
/// lost with its disk (machine-loss), an owner paused past its lease while another takes over
/// (paused-owner), and followers in processes of their own, one promoted after the owner is killed
/// (follow-promote). Each check opens the table on a fresh directory, restored from the store alone.
/// </summary>
[Collection(nameof(RemoteCollection))]
public sealed class MachineLossTests(AzuriteFixture azurite)
{
    private Dictionary<string, string> RunHarness(string mode, int iterations)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "PersistentEts.Crash.dll"),
                     "--mode", mode, "--iterations", iterations.ToString(CultureInfo.InvariantCulture), "--seed", "20261130" })
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
        Assert.Equal("0", f["lost_acknowledged"]);
        Assert.Equal("0", f["phantom"]);
        return f;
    }

    [AzuriteFact]
    public void AMachineThatIsLost_LosesNoAcknowledgedWrite_WithTheRemoteLog()
    {
        var f = RunHarness("machine-loss", 10);
        Assert.Equal("0", f["failed_opens"]);
        Assert.Equal("0", f["corrupt_loads"]);
    }

    [AzuriteFact]
    public void FollowersInOtherProcesses_ShowOnlyStatesTheOwnerHad_Converge_ReloadAfterRetention_AndPromotionAfterAKillLosesNothing()
    {
        const int iterations = 8; // two per table type
        var f = RunHarness("follow-promote", iterations);
        Assert.Equal("set,ordered_set,bag,duplicate_bag", f["table_types"]);
        Assert.Equal(iterations.ToString(CultureInfo.InvariantCulture), f["promotions"]);
        Assert.Equal("0", f["diverged"]);
        Assert.Equal("0", f["wait_timeouts"]);
        Assert.Equal("0", f["prefix_violations"]);
        // Every fourth iteration the tracking follower is paused until the log it read is retired: it reloads.
        Assert.Equal("2", f["paused_follower_runs"]);
        Assert.Equal("2", f["paused_follower_reloads"]);
    }

    [AzuriteFact]
    public void AnOwnerPausedPastItsLease_IsFencedOnceItResumes_AndNothingItWritesThenIsKept()
    {
        // Each iteration waits for the writer's lease (15 s) to lapse by itself.
        const int iterations = 2;
        var f = RunHarness("paused-owner", iterations);
        Assert.Equal(iterations.ToString(CultureInfo.InvariantCulture), f["take_overs"]);
        Assert.Equal("0", f["fenced_acknowledged"]);
        Assert.Equal("0", f["fenced_in_store"]);
    }
}
