using System.Text;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence;

/// <summary>
/// The files of a table saved at one path, all beside it in its directory: the snapshot <c>FILE</c>, its
/// lock <c>FILE.lock</c>, log segments <c>FILE.NNNNNNNNNNNN.wal</c>, history <c>FILE.1</c>…<c>FILE.100</c>
/// and temporary files while saving. And the checks that refuse, when a table opens, a path none of them
/// could be written at.
/// </summary>
internal static class TableFiles
{
    /// <summary>The longest file name most file systems take (NAME_MAX), in UTF-8 bytes.</summary>
    public const int MaxFileNameBytes = 255;

    /// <summary>The most any sibling adds to the snapshot's name: a history file's temporary name, <c>.FILE.1.{16 hex}.tmp</c>.</summary>
    public const int MaxSuffixBytes = 24;

    /// <summary>The longest snapshot file name a table can be saved under.</summary>
    public const int MaxSnapshotNameBytes = MaxFileNameBytes - MaxSuffixBytes;

    public static string LockFile(string snapshotPath) => snapshotPath + ".lock";

    /// <summary>A fresh temporary name beside <paramref name="path"/>, hidden, never a name a table uses.</summary>
    public static string TempFile(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Path.GetFileName(path)}.{Random.Shared.NextInt64():x16}.tmp");

    /// <summary>
    /// Refuses a snapshot path that can never be saved: a directory, a missing directory, a name too long
    /// for the files beside it. Returns the full path.
    /// </summary>
    public static string CheckPath(IFileSystem fs, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) Throw.Argument(nameof(path), "A file path may not be null or blank.");
        var full = Path.GetFullPath(path);
        if (fs.DirectoryExists(full)) throw new SnapshotFileException(full, "the path is a directory; give a file name inside it");
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!fs.DirectoryExists(dir)) throw new SnapshotFileException(full, $"the directory '{dir}' does not exist");
        var bytes = Encoding.UTF8.GetByteCount(Path.GetFileName(full));
        if (bytes > MaxSnapshotNameBytes)
            throw new SnapshotFileException(full, $"the file name is {bytes} bytes long; at most {MaxSnapshotNameBytes} leave room for the " +
                $"log, lock and temporary files beside it (names of at most {MaxFileNameBytes} bytes)");
        return full;
    }
}
