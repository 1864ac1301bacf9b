using System.Runtime.InteropServices;
using System.Globalization;
using System.Text;

namespace PersistentEts.Persistence.IO;

/// <summary>The real file system; files it creates get <see cref="CreateMode"/> on Unix.</summary>
internal sealed partial class PhysicalFileSystem(UnixFileMode createMode) : IFileSystem
{
    /// <summary>Owner read and write only (0600), as database servers create their files.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The real file system creating owner-only files.</summary>
    public static PhysicalFileSystem Instance { get; } = new(OwnerOnly);

    /// <summary>The permissions new files get on Unix (the process umask may remove more).</summary>
    public UnixFileMode CreateMode => createMode;

    // Readers tolerate a writer (a live log being checked) and a rename over the file (a save in progress).
    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);

    // Writers let others read what they write (pets info/verify/log check on a live table).
    public Stream CreateNew(string path, bool buffered = true, bool asynchronous = false) =>
        new FileStream(path, Options(FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, buffered ? 1 << 16 : 0,
            asynchronous ? FileOptions.Asynchronous : FileOptions.None));

    private FileStreamOptions Options(FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions fileOptions = FileOptions.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize, Options = fileOptions };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = createMode;
        return options;
    }

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

    public string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var file = new FileInfo(full);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            full = Path.GetFullPath(target.FullName);
        var dir = Path.GetDirectoryName(full);
        if (dir is null || OperatingSystem.IsWindows() || !Directory.Exists(dir)) return full;
        return Path.Combine(RealPath(dir) ?? dir, Path.GetFileName(full));
    }

    public IDisposable? TryLock(string lockPath, out int? holderProcessId)
    {
        holderProcessId = null;
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 0));
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            holderProcessId = ReadHolder(lockPath);
            return null;
        }
        // .NET takes flock(LOCK_EX) for FileShare.None on Unix unless file locking is switched off
        // (DOTNET_SYSTEM_IO_DISABLEFILELOCKING); take it here too so ownership never depends on that switch.
        // The kernel drops it when the process dies, so a killed owner never blocks its restart.
        if (!OperatingSystem.IsWindows() && Flock(stream.SafeFileHandle.DangerousGetHandle().ToInt32(), LockExclusive | LockNonBlocking) != 0)
        {
            stream.Dispose();
            holderProcessId = ReadHolder(lockPath);
            return null;
        }
        try
        {
            // Who holds it, for the next opener's message; the lock, not this text, is what counts.
            stream.SetLength(0);
            stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush();
        }
        catch (IOException)
        {
            // A full disk may refuse even these few bytes; the lock is held all the same.
        }
        return stream;
    }

    // What FileShare.None's lock conflict looks like: ERROR_SHARING_VIOLATION on Windows; on Unix .NET
    // passes flock's errno through, EWOULDBLOCK (11 on Linux, 35 on macOS and the BSDs).
    private static bool IsLockConflict(IOException e) => e.HResult is unchecked((int)0x80070020) or 11 or 35;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    /// <summary>The holder's process id, read without taking any lock (a .NET read would ask for a shared one).</summary>
    private static int? ReadHolder(string lockPath)
    {
        if (OperatingSystem.IsWindows()) return null;
        var fd = Open(lockPath, 0 /* O_RDONLY */);
        if (fd < 0) return null;
        try
        {
            Span<byte> buffer = stackalloc byte[32];
            var n = Read(fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (n <= 0) return null;
            var text = Encoding.ASCII.GetString(buffer[..(int)n]).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static string? RealPath(string path)
    {
        var resolved = RealPathNative(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
