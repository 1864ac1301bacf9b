using System.CommandLine;
using System.Text.Json;
using PersistentEts.Persistence;

namespace PersistentEts.Cli.Commands;

/// <summary><c>pets verify FILE</c>: the whole structure and every checksum; exit 0 when good.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var file = Shared.FileArgument("The snapshot file");
        var json = Shared.Json();
        var command = new Command("verify", "Check a snapshot's structure, every checksum and every object; exit 0 when good, 2 when damaged") { file, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (parse.GetValue(json))
            {
                try
                {
                    var info = Snapshot.Verify(path);
                    Console.WriteLine(JsonSerializer.Serialize(new { file = info.Path, ok = true, objects = info.ObjectCount, bytes = info.FileBytes }));
                    return ExitCodes.Ok;
                }
                catch (SnapshotFileException e)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new { file = e.FilePath, ok = false, problem = e.Problem, offset = e.Offset }));
                    return e.InnerException is IOException or UnauthorizedAccessException ? ExitCodes.Unreadable : ExitCodes.Damaged;
                }
            }
            return Shared.Guard(() =>
            {
                SnapshotInfo info;
                try
                {
                    info = Snapshot.Verify(path, Shared.TerminalProgress(path, "verifying"));
                }
                finally
                {
                    Shared.EndProgress();
                }
                Console.WriteLine($"OK: {info.Path}: {info.ObjectCount} objects, {info.FileBytes} bytes, every checksum matches");
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
