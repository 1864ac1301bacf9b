using System.CommandLine;
using System.Text.Json;

namespace PersistentEts.Cli.Commands;

/// <summary>Arguments, options and output helpers the commands share.</summary>
internal static class Shared
{
    public static Argument<string> FileArgument(string description) => new("file") { Description = description };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object, for scripts" };

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs a command body, mapping the library's errors to exit codes and messages on stderr.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (SnapshotFileException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            Console.Error.WriteLine($"pets: {e.Message}");
            return ExitCodes.Unreadable;
        }
        catch (EtsException e)
        {
            Console.Error.WriteLine($"pets: {e.Message}");
            return ExitCodes.Damaged;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"pets: {e.Message}");
            return ExitCodes.Unreadable;
        }
    }

    /// <summary>Progress on stderr, only when a person is watching (stderr is a terminal).</summary>
    public static IProgress<long>? TerminalProgress(string path, string verb)
    {
        if (Console.IsErrorRedirected || !File.Exists(path)) return null;
        var total = new FileInfo(path).Length;
        return new Progress<long>(read =>
            Console.Error.Write($"\r{verb} {read / 1e6:F1} / {total / 1e6:F1} MB ({100.0 * read / Math.Max(1, total):F0}%)   "));
    }

    public static void EndProgress()
    {
        if (!Console.IsErrorRedirected) Console.Error.WriteLine();
    }
}
