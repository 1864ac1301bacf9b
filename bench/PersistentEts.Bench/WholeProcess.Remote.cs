using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using PersistentEts.Azure;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Bench;

internal static partial class WholeProcess
{
    /// <summary>
    /// A table kept in Azure Blob Storage: a save with its upload against the same save kept locally, and
    /// remote-log writes (every write appended to the store before it returns) with 8 and 32 writers
    /// against one append per write, the figure group commit is measured against.
    /// </summary>
    private static void RemoteFigures(TableType type, Row[] rows, string connectionString, List<(string, string)> figures)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pets-bench-remote-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("bench" + Guid.NewGuid().ToString("N"));
        try
        {
            var table = new TableOptions { Type = type, Protection = TableProtection.Public };
            double local, remote;
            using (var t = PersistentTable.New("local", Path.Combine(dir, "local.pets"), (Row r) => r.Id, new PersistentTableOptions { Table = table, PersistEvery = TimeSpan.FromHours(1) }))
            {
                t.Insert(rows);
                local = Timed(() => t.Persistence.Flush());
            }
            var store = new AzureBlobTableStore(container, "snapshot");
            using (var t = PersistentTable.New("remote", Path.Combine(dir, "remote.pets"), (Row r) => r.Id, new PersistentTableOptions
            {
                Table = table,
                PersistEvery = TimeSpan.FromHours(1),
                Remote = new RemoteOptions { Store = store },
            }))
            {
                t.Insert(rows);
                remote = Timed(() => t.Persistence.Flush());
                if (t.Persistence.LastRemoteError is { } e) throw e;
            }
            figures.Add(("remote_save_s", F(remote)));
            figures.Add(("local_save_s", F(local)));
            figures.Add(("remote_save_vs_local", F(remote / local)));

            var ops8 = RemoteWriters(type, Path.Combine(dir, "w8.pets"), new AzureBlobTableStore(container, "w8"), 8);
            var ops32 = RemoteWriters(type, Path.Combine(dir, "w32.pets"), new AzureBlobTableStore(container, "w32"), 32);
            var appends = AppendsPerSecond(container);
            figures.Add(("remote_always_ops_s", Ops(ops8)));
            figures.Add(("remote_always_ops_s_32", Ops(ops32)));
            figures.Add(("remote_append_per_s", Ops(appends)));
            figures.Add(("remote_always_vs_append", F(ops8 / appends)));
            figures.Add(("remote_always_32_vs_append", F(ops32 / appends)));
        }
        finally
        {
            container.DeleteIfExists();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Timed(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Operations per second of <paramref name="writers"/> threads inserting into a table whose log is in the store.</summary>
    private static double RemoteWriters(TableType type, string path, IRemoteTableStore store, int writers)
    {
        using var table = PersistentTable.New(Path.GetFileNameWithoutExtension(path), path, (Row r) => r.Id, new PersistentTableOptions
        {
            Table = new TableOptions { Type = type, Protection = TableProtection.Public },
            PersistEvery = TimeSpan.FromHours(1),
            Durability = DurabilityMode.Log,
            LogSync = LogSync.Always,
            Remote = new RemoteOptions { Store = store },
        });
        var (ops, seconds) = InsertFromThreads(table, writers);
        return ops / seconds;
    }

    /// <summary>The store's rate of small appends, one after another: one remote append per write.</summary>
    private static double AppendsPerSecond(BlobContainerClient container)
    {
        var blob = container.GetAppendBlobClient("appends.bin");
        blob.Create();
        var record = new byte[100];
        long n = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < LogWindow)
        {
            using var s = new MemoryStream(record);
            blob.AppendBlock(s);
            n++;
        }
        return n / clock.Elapsed.TotalSeconds;
    }
}
