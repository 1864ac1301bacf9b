using PersistentEts.Persistence.IO;

namespace PersistentEts.Persistence;

/// <summary>
/// Replaces a file so that a crash at any instant leaves either the old or the new complete file:
/// write a temporary file in the same directory, fsync it, rename it over the target, fsync the directory.
/// The old file is never removed first.
/// </summary>
internal static class AtomicFileWriter
{
    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes. With
    /// <paramref name="async"/> every write and flush is awaited and the fsyncs run on a pool thread (they
    /// have no asynchronous form), so the caller's thread is never blocked on the disk; without it the call
    /// completes synchronously. Cancellation stops the write and leaves the previous file as it was.
    /// </summary>
    public static async ValueTask<long> ReplaceAsync(IFileSystem fs, string path, bool sync, int keepPrevious,
        Func<Stream, ValueTask> write, bool async, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!fs.DirectoryExists(dir)) throw new SnapshotFileException(full, $"the directory '{dir}' does not exist");
        var temp = TableFiles.TempFile(full);
        try
        {
            var stream = fs.CreateNew(temp, asynchronous: async);
            try
            {
                await write(stream).ConfigureAwait(false);
                if (async) await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                else stream.Flush();
                if (sync) await SyncOrAsync.Blocking(() => fs.Sync(stream), async).ConfigureAwait(false);
            }
            finally
            {
                if (async) await stream.DisposeAsync().ConfigureAwait(false);
                else stream.Dispose();
            }
            cancellationToken.ThrowIfCancellationRequested(); // the last moment at which giving up changes nothing
            var bytes = fs.Length(temp);
            if (keepPrevious > 0 && fs.Exists(full)) RotateHistory(fs, full, keepPrevious, sync);
            fs.Replace(temp, full);
            if (sync) await SyncOrAsync.Blocking(() => fs.SyncDirectory(dir), async).ConfigureAwait(false);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(fs, temp);
            var problem = e is UnauthorizedAccessException ? "permission denied while saving" : $"the save failed ({e.Message})";
            throw new SnapshotFileException(full, problem + "; the previous file is unchanged", null, e);
        }
        catch
        {
            TryDelete(fs, temp);
            throw;
        }
    }

    // FILE.N-1 → FILE.N … FILE → FILE.1, each step a copy-then-rename so every name always holds a whole file.
    private static void RotateHistory(IFileSystem fs, string full, int keep, bool sync)
    {
        for (var i = keep - 1; i >= 1; i--)
        {
            if (fs.Exists($"{full}.{i}")) fs.Replace($"{full}.{i}", $"{full}.{i + 1}");
        }
        var temp = TableFiles.TempFile($"{full}.1");
        fs.Copy(full, temp);
        fs.Replace(temp, $"{full}.1");
    }

    private static void TryDelete(IFileSystem fs, string path)
    {
        try
        {
            if (fs.Exists(path)) fs.Delete(path);
        }
        catch (IOException)
        {
            // The temporary file is harmless garbage; the error that matters is already being thrown.
        }
    }
}
