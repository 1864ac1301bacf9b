using System.CommandLine;
using System.Text.Json;
using PersistentEts.Persistence;

namespace PersistentEts.Cli.Commands;

/// <summary><c>pets log check|repair FILE</c>: the write-ahead log next to a snapshot (like redis-check-aof).</summary>
internal static class LogCommand
{
    public static Command Create()
    {
        var command = new Command("log", "Check or repair the write-ahead log segments of a table (FILE is the snapshot path)");
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Repair());
        return command;
    }

    private static Command Check()
    {
        var file = Shared.FileArgument("The table's snapshot path (segments are FILE.NNNNNNNNNNNN.wal)");
        var json = Shared.Json();
        var command = new Command("check", "Read every segment; exit 0 when the log is good (a torn last record is reported, and cut off when the table opens), 2 when it is damaged") { file, json };
        command.SetAction(parse => Shared.Guard(() =>
        {
            var reports = WriteAheadLogFiles.Check(parse.GetValue(file)!);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { ok = true, segments = reports }, Shared.Indented));
                return ExitCodes.Ok;
            }
            if (reports.Count == 0) Console.WriteLine("no log segments");
            foreach (var r in reports)
            {
                var torn = r.TornTailBytes > 0 ? $", torn last record ({r.TornTailBytes} bytes; cut off when the table opens)" : "";
                var holds = r.ObjectType is null ? "" : $", {r.ObjectType} at schema version {r.SchemaVersion}";
                Console.WriteLine($"{r.Path}: segment {r.Sequence}, {r.Records} records, {r.Bytes} bytes{holds}{torn}");
            }
            Console.WriteLine("OK");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Repair()
    {
        var file = Shared.FileArgument("The table's snapshot path");
        var json = Shared.Json();
        var command = new Command("repair", "Truncate the log to its last good record (what followed the damage is lost)") { file, json };
        command.SetAction(parse => Shared.Guard(() =>
        {
            var report = WriteAheadLogFiles.Repair(parse.GetValue(file)!);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, Shared.Indented));
            else if (report.TruncatedFile is null) Console.WriteLine("nothing to repair: the log is good");
            else
            {
                Console.WriteLine($"cut {report.TruncatedFile} at byte {report.TruncatedAt} ({report.BytesRemoved} bytes removed)");
                foreach (var d in report.SegmentsDeleted) Console.WriteLine($"deleted {d}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
