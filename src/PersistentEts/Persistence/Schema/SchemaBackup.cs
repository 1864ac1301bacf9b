using PersistentEts.Persistence.IO;
using PersistentEts.Persistence.Log;

namespace PersistentEts.Persistence.Schema;

/// <summary>
/// Keeps a table's files as they were before a migration: the snapshot and the log segments after it are
/// copied, fsynced, into the directory <c>FILE.vN.bak</c> beside the table under their own names, so the
/// application at version N can open <c>FILE.vN.bak/FILE</c> as it opened <c>FILE</c>.
/// </summary>
internal static class SchemaBackup
{
    /// <summary>The backup directory of the files at schema version <paramref name="version"/>.</summary>
    public static string DirectoryFor(string snapshotPath, int version) => $"{snapshotPath}.v{version}.bak";

    /// <summary>Copies the files; returns the backup directory. A backup already there is replaced file by file.</summary>
    public static string Keep(IFileSystem fs, string snapshotPath, int version, long logFrom)
    {
        var directory = DirectoryFor(snapshotPath, version);
        fs.CreateDirectory(directory);
        var name = Path.GetFileName(snapshotPath);
        if (fs.Exists(snapshotPath)) CopySynced(fs, snapshotPath, Path.Combine(directory, name));
        foreach (var (seq, segment) in LogFormat.FindSegments(fs, snapshotPath).Where(s => s.Seq >= logFrom))
            CopySynced(fs, segment, LogFormat.SegmentPath(Path.Combine(directory, name), seq));
        fs.SyncDirectory(directory);
        return directory;
    }

    private static void CopySynced(IFileSystem fs, string source, string destination)
    {
        if (fs.Exists(destination)) fs.Delete(destination);
        using var input = fs.OpenRead(source);
        using var output = fs.CreateNew(destination);
        input.CopyTo(output);
        output.Flush();
        fs.Sync(output);
    }
}
