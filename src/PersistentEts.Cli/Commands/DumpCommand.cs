using System.CommandLine;
using MessagePack;
using PersistentEts.Persistence;

namespace PersistentEts.Cli.Commands;

/// <summary><c>pets dump FILE</c>: the objects as JSON, without the application's types.</summary>
internal static class DumpCommand
{
    public static Command Create()
    {
        var file = Shared.FileArgument("The snapshot file");
        var format = new Option<string>("--format") { Description = "jsonl: one object per line; json: one array", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "json");
        var limit = new Option<long?>("--limit") { Description = "Print at most this many objects" };
        var command = new Command("dump", "Print a snapshot's objects as JSON (the file is checked while it is read)") { file, format, limit };
        command.SetAction(parse => Shared.Guard(() =>
        {
            var max = parse.GetValue(limit);
            if (max is < 0) throw new EtsArgumentException("--limit", "The limit cannot be negative.");
            var array = parse.GetValue(format) == "json";
            var path = parse.GetValue(file)!;
            long printed = 0;
            using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
            if (array) output.Write('[');
            try
            {
                Snapshot.ReadRawObjects(path, raw =>
                {
                    if (max is { } m && printed >= m) return false;
                    if (array && printed > 0) output.Write(',');
                    output.Write(MessagePackSerializer.ConvertToJson(raw));
                    if (!array) output.WriteLine();
                    printed++;
                    return true;
                }, Shared.TerminalProgress(path, "reading"));
            }
            finally
            {
                if (array) output.WriteLine(']');
                output.Flush();
                Shared.EndProgress();
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
