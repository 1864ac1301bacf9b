using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PersistentEts.Azure;
using PersistentEts.Hosting;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// A table whose snapshots are kept in Azure Blob Storage (the Azurite emulator): restored on a machine
/// whose directory is empty, owned by one machine at a time, fenced once its lease is gone, and never
/// damaged by the service failing.
/// </summary>
[Collection(nameof(RemoteCollection))]
public sealed class RemoteTableTests(AzuriteFixture azurite) : IDisposable
{
    public sealed record Row(int Id, string Name);

    // Two "machines": each its own directory.
    private readonly TempDirectory _machineA = new();
    private readonly TempDirectory _machineB = new();
    private readonly TempDirectory _machineC = new();

    public void Dispose()
    {
        _machineA.Dispose();
        _machineB.Dispose();
        _machineC.Dispose();
    }

    private static PersistentTableOptions Options(IRemoteTableStore store, string holder, int keep = 3) => new()
    {
        PersistEvery = TimeSpan.FromHours(1),
        Remote = new RemoteOptions { Store = store, Holder = holder, KeepGenerations = keep, LeaseDuration = TimeSpan.FromSeconds(15) },
    };

    private static PersistentEtsTable<int, Row> Open(TempDirectory machine, IRemoteTableStore store, string holder, int keep = 3) =>
        PersistentTable.New("remote", machine.File("t.pets"), (Row r) => r.Id, Options(store, holder, keep));

    private static void Fill(EtsTable<int, Row> table, int from, int count) =>
        table.Insert(Enumerable.Range(from, count).Select(i => new Row(i, "row " + i)));

    [AzuriteFact]
    public void ATableSavedOnOneMachine_OpensOnAnotherWithAnEmptyDirectory_WithEveryRow()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "tables/remote");
        List<Row> expected;
        using (var a = Open(_machineA, store, "machine A"))
        {
            Fill(a, 0, 20_000);
            a.Persistence.Flush();
            Assert.Equal(1, a.Persistence.RemoteGeneration);
            a.Delete(5);
            expected = [.. a.ToList().OrderBy(r => r.Id)];
        } // the final save is uploaded too, and the lease released

        using var b = Open(_machineB, store, "machine B");
        Assert.Equal(expected, b.ToList().OrderBy(r => r.Id));
        Assert.Equal(2, b.Persistence.RemoteGeneration);
        Assert.Null(b.Persistence.LastRemoteError);
    }

    [AzuriteFact]
    public void ASecondOwner_IsRefusedWhileTheLeaseIsLive_NamingTheHolder_AndTakesOverOnceItIsReleased()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "owned");
        var a = Open(_machineA, store, "machine A");
        Fill(a, 0, 10);

        var e = Assert.Throws<RemoteTableOwnedException>(() => Open(_machineB, store, "machine B"));
        Assert.Equal("machine A", e.Holder);
        Assert.Contains("owned/manifest.json", e.Message);
        Assert.False(File.Exists(_machineB.File("t.pets"))); // the refused open left nothing behind

        a.Dispose();
        using var b = Open(_machineB, store, "machine B");
        Assert.Equal(10, b.Count);
    }

    [AzuriteFact]
    public async Task AnOwnerWhoseLeaseWasTaken_IsFenced_AndNothingItSavesReachesTheManifest()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "fenced");
        var a = Open(_machineA, store, "machine A");
        Fill(a, 0, 100);
        a.Persistence.Flush();
        Assert.Equal(1, a.Persistence.RemoteGeneration);

        // A's lease ends as if A had been paused past it; B takes the table.
        await container.GetBlobClient("fenced/manifest.json").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        using var b = Open(_machineB, store, "machine B");
        Assert.Equal(100, b.Count);

        Fill(a, 100, 50);
        Assert.NotNull(a.Persistence.Flush()); // the local save stands
        Assert.IsType<RemoteLeaseLostException>(a.Persistence.LastRemoteError);
        var manifest = await store.ReadManifestAsync(default);
        Assert.Equal(1, manifest.Generation);    // A's save never became the table's
        Fill(a, 150, 50);
        a.Persistence.Flush();
        Assert.Equal(1, (await store.ReadManifestAsync(default)).Generation);
        Assert.Equal([1L], await store.ListSnapshotsAsync(default)); // A learned it was fenced before uploading anything

        Fill(b, 1_000, 1);
        b.Persistence.Flush();
        Assert.Null(b.Persistence.LastRemoteError);
        Assert.Equal("machine B", (await store.ReadManifestAsync(default)).Holder);
        a.Dispose();
    }

    [AzuriteFact]
    public async Task OnlyTheKeptGenerationsStay_AndTheManifestNamesThem()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "kept");
        using var a = Open(_machineA, store, "machine A", keep: 2);
        for (var i = 0; i < 5; i++)
        {
            Fill(a, i * 10, 10);
            a.Persistence.Flush();
        }
        var manifest = await store.ReadManifestAsync(default);
        Assert.Equal([4L, 5L], manifest.Kept);
        Assert.Equal([4L, 5L], await store.ListSnapshotsAsync(default));
    }

    [AzuriteFact]
    public async Task ADamagedRemoteSnapshot_IsRefusedNamingIt_AndAnOlderGenerationCanStillBeFetched()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "damaged");
        using (var a = Open(_machineA, store, "machine A"))
        {
            Fill(a, 0, 1_000);
            a.Persistence.Flush();
            Fill(a, 1_000, 1_000);
        } // generation 2 holds 2,000 rows, generation 1 holds 1,000

        var blob = container.GetBlobClient("damaged/snapshots/0000000000000000002.pets");
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0xFF;
        await blob.UploadAsync(new BinaryData(bytes), overwrite: true);

        var e = Assert.Throws<RemoteStoreException>(() => Open(_machineB, store, "machine B"));
        Assert.Contains("damaged/snapshots/0000000000000000002.pets", e.Message);
        Assert.Contains("damaged", e.Problem);
        Assert.False(File.Exists(_machineB.File("t.pets")));

        RemoteSnapshots.Fetch(store, 1, _machineB.File("older.pets"));
        using var older = PersistentTable.New("remote", _machineB.File("older.pets"), (Row r) => r.Id);
        Assert.Equal(1_000, older.Count);
    }

    [AzuriteFact]
    public void Pets_ListsTheGenerations_AndFetchesOne_WithoutTheLease()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "cli");
        using var a = Open(_machineA, store, "machine A", keep: 2);
        for (var i = 0; i < 3; i++)
        {
            Fill(a, i * 10, 10);
            a.Persistence.Flush();
        }

        // The table stays open (its lease held) while pets reads the store.
        var list = Pets("remote", "list", "--container", container.Name, "--prefix", "cli", "--json");
        Assert.Equal(0, list.Exit);
        using var json = System.Text.Json.JsonDocument.Parse(list.Out);
        Assert.Equal(3, json.RootElement.GetProperty("current").GetInt64());
        Assert.Equal([2L, 3L], json.RootElement.GetProperty("generations").EnumerateArray().Select(e => e.GetInt64()));

        var fetched = Pets("remote", "fetch", "--container", container.Name, "--prefix", "cli", "--generation", "2", _machineB.File("g2.pets"));
        Assert.True(fetched.Exit == 0, fetched.Err);
        using var older = PersistentTable.New("remote", _machineB.File("g2.pets"), (Row r) => r.Id);
        Assert.Equal(20, older.Count);

        var missing = Pets("remote", "fetch", "--container", container.Name, "--prefix", "cli", "--generation", "1", _machineB.File("g1.pets"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("cli/snapshots/0000000000000000001.pets", missing.Err);
    }

    private (int Exit, string Out, string Err) Pets(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pets.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PETS_AZURE_CONNECTION_STRING"] = azurite.Server.ConnectionString;
        using var p = System.Diagnostics.Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    [AzuriteFact]
    public void WhenTheServiceGoesAway_LocalSavesStand_AndTheNextSaveAfterItReturnsUploads()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "outage");
        using var a = Open(_machineA, store, "machine A");
        Fill(a, 0, 100);
        a.Persistence.Flush();
        try
        {
            azurite.Server.Switch.Off();
            Fill(a, 100, 100);
            Assert.NotNull(a.Persistence.Flush());
            Assert.IsType<RemoteStoreException>(a.Persistence.LastRemoteError);
            Assert.Equal(1, a.Persistence.RemoteGeneration);
        }
        finally
        {
            azurite.Server.Switch.On();
        }
        Fill(a, 200, 1);
        a.Persistence.Flush();
        Assert.Null(a.Persistence.LastRemoteError);
        Assert.True(a.Persistence.RemoteGeneration > 1);
        a.Dispose();

        using var b = Open(_machineB, store, "machine B");
        Assert.Equal(201, b.Count);
    }

    [AzuriteFact]
    public async Task AHostedTable_IsDegraded_WhenItsRemoteStoreTookItsLease()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "hosted");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddPersistentEts("hosted", (Row r) => r.Id, s =>
        {
            s.Path = _machineA.File("hosted.pets");
            s.PersistEverySeconds = 0.05;
            s.Remote = new RemoteOptions { Store = store, Holder = "host A" };
        });
        builder.Services.AddHealthChecks().AddPersistentEtsTable("hosted");
        using var host = builder.Build();
        await host.StartAsync();
        var table = host.Services.GetRequiredService<IEtsTable<int, Row>>();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        table.Insert(new Row(1, "a"));
        await Until(async () => (await store.ReadManifestAsync(default)).Generation >= 1);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        await container.GetBlobClient("hosted/manifest.json").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await store.AcquireLeaseAsync("host B", TimeSpan.FromSeconds(15), default);
        table.Insert(new Row(2, "b"));
        await Until(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Degraded);
        var entry = (await health.CheckHealthAsync()).Entries["persistent-ets:hosted"];
        Assert.Contains("remote store is behind", entry.Description);
        Assert.IsType<RemoteLeaseLostException>(entry.Exception);
        await host.StopAsync();
    }

    [AzuriteFact]
    public void WhenTheServiceGoesAwayMidUpload_TheManifestStillNamesTheLastWholeSnapshot_AndTheNextSaveUploads()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "midupload");
        var padding = new string('x', 60);
        var a = Open(_machineA, store, "machine A");
        a.Insert(Enumerable.Range(0, 200_000).Select(i => new Row(i, padding + i)));
        a.Persistence.Flush();
        Assert.Equal(1, a.Persistence.RemoteGeneration);
        a.Delete(1);
        try
        {
            azurite.Server.Switch.OffAfter(4 << 20); // a few blocks into the next upload
            Assert.NotNull(a.Persistence.Flush());    // the local save stands
            Assert.IsType<RemoteStoreException>(a.Persistence.LastRemoteError);
            Assert.Equal(1, a.Persistence.RemoteGeneration);
        }
        finally
        {
            azurite.Server.Switch.On();
        }
        Assert.Equal(1, store.ReadManifestAsync(default).Result.Generation); // never a half-uploaded generation
        a.Delete(2);
        a.Persistence.Flush();
        Assert.Null(a.Persistence.LastRemoteError);
        a.Dispose();

        using var b = Open(_machineB, store, "machine B");
        Assert.Equal(199_998, b.Count);
        Assert.False(b.Contains(1));
    }

    [AzuriteFact]
    public void WhenTheServiceGoesAwayMidAppend_TheWriteIsRefused_AndTheTableRecoversOnceItIsBack()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "midappend");
        var a = OpenLogged(_machineA, store, "machine A");
        for (var i = 0; i < 100; i++) a.Insert(new Row(i, "before"));
        var big = new Row(100, new string('y', 200_000));
        try
        {
            azurite.Server.Switch.OffAfter(50_000); // part of the record's append has gone when the service goes
            Assert.Throws<LogWriteException>(() => a.Insert(big));
            Assert.Throws<LogWriteException>(() => a.Insert(new Row(101, "refused while the log is failed")));
        }
        finally
        {
            azurite.Server.Switch.On();
        }
        a.Persistence.Flush(); // a save lets writes in again
        a.Insert(new Row(102, "after"));
        a.Dispose();

        using var b = OpenLogged(_machineB, store, "machine B");
        Assert.All(Enumerable.Range(0, 100), i => Assert.True(b.Contains(i)));
        Assert.True(b.Contains(102));
        Assert.False(b.Contains(101));
    }

    private static PersistentEtsTable<int, Row> OpenLogged(TempDirectory machine, IRemoteTableStore store, string holder, LogSync remoteSync = LogSync.Always)
    {
        var options = Options(store, holder);
        return PersistentTable.New("remote", machine.File("t.pets"), (Row r) => r.Id, options with
        {
            Durability = DurabilityMode.Log,
            LogSync = LogSync.Always,
            Remote = options.Remote! with { LogSync = remoteSync, LogSyncInterval = TimeSpan.FromMilliseconds(100) },
        });
    }

    [AzuriteFact]
    public async Task WithTheRemoteLogInterval_WritesDoNotWaitForTheStore_AndReachItOnceItIsBack()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "interval");
        var a = OpenLogged(_machineA, store, "machine A", LogSync.Interval);
        a.Insert(new Row(0, "shipped"));
        try
        {
            azurite.Server.Switch.Off();
            for (var i = 1; i < 100; i++) a.Insert(new Row(i, "acknowledged while the store is away")); // none waits for it
        }
        finally
        {
            azurite.Server.Switch.On();
        }
        // The shipper retries at its next ticks, at the same offsets.
        await Until(async () =>
        {
            var segments = await store.ListLogSegmentsAsync(default);
            return segments.Count > 0 && (await container.GetBlobClient($"interval/log/{segments[^1]:D19}.log").GetPropertiesAsync()).Value.ContentLength > 2_000;
        });
        await container.GetBlobClient("interval/manifest.json").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        using var b = OpenLogged(_machineB, store, "machine B", LogSync.Interval);
        Assert.Equal(100, b.Count);
        try
        {
            a.Dispose();
        }
        catch (EtsException)
        {
            // A was fenced by B's open; its end may say so.
        }
    }

    [AzuriteFact]
    public async Task WithTheRemoteLogNone_OnlySnapshotsReachTheStore()
    {
        var store = new AzureBlobTableStore(azurite.Server.NewContainer(), "none");
        using var a = OpenLogged(_machineA, store, "machine A", LogSync.None);
        for (var i = 0; i < 50; i++) a.Insert(new Row(i, "local log only"));
        Assert.Empty(await store.ListLogSegmentsAsync(default));
        a.Persistence.Flush();
        Assert.Equal(1, (await store.ReadManifestAsync(default)).Generation);
        Assert.Empty(await store.ListLogSegmentsAsync(default));
    }

    [AzuriteFact]
    public async Task WithTheLogAlways_EveryAcknowledgedWriteIsInTheStore_AndAFencedOwnersWritesAreRefused()
    {
        var container = azurite.Server.NewContainer();
        var store = new AzureBlobTableStore(container, "logged");
        var a = OpenLogged(_machineA, store, "machine A");
        for (var i = 0; i < 300; i++) a.Insert(new Row(i, "acknowledged")); // never saved: only the log holds them
        a.Delete(7);

        // Machine A is lost (as far as anyone can tell): B takes the table from the store alone.
        await container.GetBlobClient("logged/manifest.json").GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        var b = OpenLogged(_machineB, store, "machine B");
        Assert.Equal(299, b.Count);
        Assert.False(b.Contains(7));

        // A was only paused: its next write is refused, since the store no longer lets it append.
        Assert.ThrowsAny<EtsException>(() => a.Insert(new Row(9_999, "from a fenced owner")));
        Assert.IsType<RemoteLeaseLostException>(a.Persistence.LastRemoteError);

        b.Insert(new Row(1_000, "b"));
        await b.DisposeAsync();
        using var c = OpenLogged(_machineC, store, "machine C");
        Assert.Equal(300, c.Count);
        Assert.True(c.Contains(1_000));
        Assert.False(c.Contains(9_999));
        try
        {
            a.Dispose();
        }
        catch (EtsException)
        {
            // A fenced owner's end may report its failed log; its local files are its own business now.
        }
    }

    /// <summary>Waits for something the table's save loop does, however slow the machine.</summary>
    private static async Task Until(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 600 && !await condition(); i++) await Task.Delay(50);
        Assert.True(await condition());
    }
}
