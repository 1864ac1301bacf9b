using System.Runtime.InteropServices;

namespace PersistentEts.Persistence.IO;

/// <summary>The real file system.</summary>
internal sealed partial class PhysicalFileSystem : IFileSystem
{
    public static PhysicalFileSystem Instance { get; } = new();

    // Readers tolerate a writer (a live log being checked) and a rename over the file (a save in progress).
    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);

    // Writers let others read what they write (pets info/verify/log check on a live table).
    public Stream CreateNew(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1 << 16);

    public void Sync(Stream stream)
    {
        if (stream is FileStream fs) fs.Flush(flushToDisk: true);
        else stream.Flush();
    }

    // rename(2) replaces the destination atomically on POSIX; MoveFileEx with REPLACE_EXISTING on Windows.
    public void Replace(string source, string destination) => File.Move(source, destination, overwrite: true);

    public void SyncDirectory(string directory)
    {
        // Only POSIX needs this: a rename is durable once the directory entry is. Windows has no
        // directory fsync; NTFS journals the rename's metadata itself.
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public void Copy(string source, string destination) => File.Copy(source, destination, overwrite: true);

    public void Delete(string path) => File.Delete(path);

    public bool Exists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public long Length(string path) => new FileInfo(path).Length;

    public IEnumerable<string> EnumerateFiles(string directory, string searchPattern) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, searchPattern) : [];

    public void Truncate(string path, long length)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
        fs.SetLength(length);
        fs.Flush(flushToDisk: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
