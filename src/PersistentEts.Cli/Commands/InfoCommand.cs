using System.CommandLine;
using System.Text.Json;
using PersistentEts.Persistence;

namespace PersistentEts.Cli.Commands;

/// <summary><c>pets info FILE</c>: a snapshot's metadata without loading its objects (ETS <c>tabfile_info</c>).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var file = Shared.FileArgument("The snapshot file");
        var json = Shared.Json();
        var command = new Command("info", "Show a snapshot's name, type, key, codec, object count, size, format version, creation time and checksum status") { file, json };
        command.SetAction(parse => Shared.Guard(() =>
        {
            var info = Snapshot.ReadInfo(parse.GetValue(file)!);
            var h = info.Header;
            var fields = new Dictionary<string, object>
            {
                ["file"] = info.Path,
                ["name"] = h.Name,
                ["type"] = h.Type.ToEtsName(),
                ["key"] = h.Key,
                ["keyType"] = h.KeyType,
                ["objectType"] = h.ObjectType,
                ["protection"] = h.Protection.ToString().ToLowerInvariant(),
                ["codec"] = h.Codec,
                ["objects"] = info.ObjectCount,
                ["blocks"] = info.BlockCount,
                ["bytes"] = info.FileBytes,
                ["formatVersion"] = h.FormatVersion,
                ["created"] = h.CreatedUtc.ToString("O"),
                ["compressed"] = h.Compressed,
                ["checksums"] = h.Checksums ? "on (header and trailer checked; run verify for blocks)" : "off",
                ["logSegment"] = h.LogSegment,
                ["schemaVersion"] = h.SchemaVersion,
                ["schema"] = h.Schema is null ? (h.FormatVersion < 2 ? "(not recorded: format version 1)" : $"(not recorded: codec '{h.Codec}' supplies none)") : System.Text.Json.Nodes.JsonNode.Parse(h.Schema)!,
            };
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(fields, Shared.Indented));
            else foreach (var (k, v) in fields) Console.WriteLine($"{k,-14} {(v is System.Text.Json.Nodes.JsonNode node ? node.ToJsonString() : v)}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
