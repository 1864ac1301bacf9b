using System.Diagnostics;

namespace PersistentEts.Tests.Crash;

/// <summary>
/// Runs the kill harness (tests/PersistentEts.Crash): a writer process killed with SIGKILL at random
/// moments, the table reopened and checked each time. In its own collection: it starts hundreds of processes.
/// </summary>
[Collection(nameof(CrashCollection))]
public sealed class KillHarnessTests
{
    private const int Iterations = 50;

    private static Dictionary<string, string> RunHarness(string mode, int iterations, int seed)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "PersistentEts.Crash.dll"),
                     "--mode", mode, "--iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var figures = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1].Trim());
        Assert.True(figures.ContainsKey("iterations"), $"harness printed no figures: {output} {stderr.Result}");
        return figures;
    }

    [Theory]
    [InlineData("wal-always")]
    [InlineData("wal-interval")]
    [InlineData("snapshot")]
    public void KilledWriters_NeverLoseAcknowledgedWrites_NorInventAny(string mode)
    {
        var f = RunHarness(mode, Iterations, seed: 20261124);
        Assert.Equal(Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), f["iterations"]);
        AssertNothingLost(f);
    }

    /// <summary>Something was acknowledged (or the run tested nothing), every open worked, nothing lost or invented.</summary>
    private static void AssertNothingLost(Dictionary<string, string> f)
    {
        Assert.True(long.Parse(f["acknowledged"], System.Globalization.CultureInfo.InvariantCulture) > 0, "nothing was acknowledged: the harness tested nothing");
        Assert.Equal("0", f["failed_opens"]);
        Assert.Equal("0", f["corrupt_loads"]);
        Assert.Equal("0", f["lost_acknowledged"]);
        Assert.Equal("0", f["phantom"]);
    }

    [Fact]
    public void WritesRacingTheOwnersEnd_AreSavedOrRefused_InEveryMode()
    {
        // Dispose, lifetime token, delete and process exit, each racing four writers, in snapshot,
        // log-always and log-interval durability in turn.
        var f = RunHarness("dispose-race", 24, seed: 20261124);
        Assert.Equal("0", f["child_failures"]);
        AssertNothingLost(f);
    }

    [Fact]
    public void ASecondOwner_IsRefusedEveryTime_NamingTheFirst()
    {
        const int iterations = 20;
        var f = RunHarness("two-owners", iterations, seed: 20261124);
        Assert.Equal("0", f["second_owner_opened"]);
        Assert.Equal(iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), f["second_owner_refused"]);
        Assert.Equal("0", f["holder_unnamed"]);
        AssertNothingLost(f);
    }

    [Fact]
    public void TheHarness_DetectsLoss_WhenWritesAreAcknowledgedTooEarly()
    {
        // Negative control: acknowledging before anything is saved must show up as lost writes.
        var f = RunHarness("unsafe-ack", 3, seed: 7);
        Assert.True(long.Parse(f["lost_acknowledged"], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }
}

[CollectionDefinition(nameof(CrashCollection), DisableParallelization = true)]
public sealed class CrashCollection;
