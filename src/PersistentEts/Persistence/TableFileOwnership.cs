using System.Collections.Concurrent;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence;

/// <summary>
/// One owner per table file. Within the process, a registry of canonical snapshot paths (so
/// <c>dir/./t.pets</c>, a symbolic link and <c>dir/t.pets</c> are one file); across processes, an
/// exclusive lock on <c>FILE.lock</c> that the kernel drops when the owner dies, so a killed owner never
/// blocks its restart. Taking the lock file also proves the directory can be written.
/// </summary>
internal sealed class TableFileOwnership : IDisposable
{
    // Canonical snapshot path → the name of the table holding it in this process.
    private static readonly ConcurrentDictionary<string, string> s_held = new(StringComparer.Ordinal);

    private readonly string _path;
    private IDisposable? _lock;

    private TableFileOwnership(string path, IDisposable osLock)
    {
        _path = path;
        _lock = osLock;
    }

    /// <summary>
    /// Takes the files of the table saved at <paramref name="canonicalPath"/> for <paramref name="tableName"/>.
    /// Throws <see cref="TableFileInUseException"/> naming the holder, or <see cref="SnapshotFileException"/>
    /// when the lock file cannot be made (the directory is read-only, say).
    /// </summary>
    public static TableFileOwnership Acquire(IFileSystem fs, string canonicalPath, string tableName)
    {
        if (!s_held.TryAdd(canonicalPath, tableName))
        {
            s_held.TryGetValue(canonicalPath, out var holder);
            throw new TableFileInUseException(canonicalPath, $"table '{holder}' in this process", Environment.ProcessId, holder);
        }
        try
        {
            var osLock = fs.TryLock(TableFiles.LockFile(canonicalPath), out var pid)
                ?? throw new TableFileInUseException(canonicalPath, pid is { } p ? $"process {p}" : "another process", pid);
            return new TableFileOwnership(canonicalPath, osLock);
        }
        catch (UnauthorizedAccessException e)
        {
            s_held.TryRemove(canonicalPath, out _);
            throw new SnapshotFileException(canonicalPath,
                $"its directory cannot be written (permission denied creating '{TableFiles.LockFile(canonicalPath)}')", null, e);
        }
        catch (IOException e)
        {
            s_held.TryRemove(canonicalPath, out _);
            throw new SnapshotFileException(canonicalPath, $"its lock file '{TableFiles.LockFile(canonicalPath)}' cannot be made ({e.Message})", null, e);
        }
        catch
        {
            s_held.TryRemove(canonicalPath, out _);
            throw;
        }
    }

    /// <summary>Lets the files go. Idempotent.</summary>
    public void Dispose()
    {
        var held = Interlocked.Exchange(ref _lock, null);
        if (held is null) return;
        held.Dispose();
        s_held.TryRemove(_path, out _);
    }
}
