using System.CommandLine;
using System.Text.Json;
using Azure.Storage.Blobs;
using PersistentEts.Azure;
using PersistentEts.Persistence.Remote;

namespace PersistentEts.Cli.Commands;

/// <summary>
/// <c>pets remote list|fetch</c>: a remote table's snapshot generations in Azure Blob Storage, read without
/// opening the table or taking its lease (see docs/remote.md).
/// </summary>
internal static class RemoteCommand
{
    private const string ConnectionVariable = "PETS_AZURE_CONNECTION_STRING";

    public static Command Create()
    {
        var command = new Command("remote", "A remote table's snapshot generations in Azure Blob Storage (read only; the table may be open elsewhere)");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Fetch());
        return command;
    }

    private static Option<string> Connection() => new("--connection-string")
    {
        Description = $"The storage account's connection string (default: the {ConnectionVariable} environment variable, which keeps it out of the process list)",
    };

    private static Option<string> Container() => new("--container") { Description = "The blob container", Required = true };

    private static Option<string> Prefix() => new("--prefix") { Description = "The table's folder in the container (AzureBlobTableStore's prefix)", Required = true };

    private static AzureBlobTableStore Store(ParseResult parse, Option<string> connection, Option<string> container, Option<string> prefix)
    {
        var cs = parse.GetValue(connection) ?? Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? throw new EtsArgumentException("--connection-string", $"Give the storage account: --connection-string, or the {ConnectionVariable} environment variable.");
        return new AzureBlobTableStore(new BlobContainerClient(cs, parse.GetValue(container)), parse.GetValue(prefix)!);
    }

    private static Command List()
    {
        var (connection, container, prefix, json) = (Connection(), Container(), Prefix(), Shared.Json());
        var command = new Command("list", "List the snapshot generations, the current one, the generations the manifest keeps, and the log segments")
        {
            connection, container, prefix, json,
        };
        command.SetAction(parse => Shared.Guard(() =>
        {
            var store = Store(parse, connection, container, prefix);
            var manifest = store.ReadManifestAsync(default).GetAwaiter().GetResult();
            var generations = store.ListSnapshotsAsync(default).GetAwaiter().GetResult();
            var segments = store.ListLogSegmentsAsync(default).GetAwaiter().GetResult();
            var fields = new Dictionary<string, object>
            {
                ["store"] = store.Name,
                ["current"] = manifest.Generation,
                ["kept"] = manifest.Kept,
                ["generations"] = generations,
                ["logSegments"] = segments,
                ["holder"] = manifest.Holder,
                ["written"] = manifest.WrittenAt.ToString("O"),
            };
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(fields, Shared.Indented));
            else foreach (var (k, v) in fields) Console.WriteLine($"{k,-12} {(v is IEnumerable<long> list ? string.Join(' ', list) : v)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Fetch()
    {
        var (connection, container, prefix) = (Connection(), Container(), Prefix());
        var generation = new Option<long?>("--generation") { Description = "The generation to fetch (default: the current one)" };
        var file = Shared.FileArgument("Where to write the snapshot (checked whole before it replaces anything there)");
        var command = new Command("fetch", "Download one snapshot generation to a file, checked whole; open that file to go back to it")
        {
            connection, container, prefix, generation, file,
        };
        command.SetAction(parse => Shared.Guard(() =>
        {
            var store = Store(parse, connection, container, prefix);
            var g = parse.GetValue(generation) ?? store.ReadManifestAsync(default).GetAwaiter().GetResult().Generation;
            if (g <= 0) throw new RemoteStoreException(store.Name, "the table has no snapshot yet");
            RemoteSnapshots.Fetch(store, g, parse.GetValue(file)!);
            Console.WriteLine($"fetched generation {g} ({store.SnapshotName(g)}) to {Path.GetFullPath(parse.GetValue(file)!)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
