namespace PersistentEts.Persistence.IO;

/// <summary>
/// Every file operation the persistence layer makes, so that tests can substitute a file system that
/// fails or loses unsynced data on purpose.
/// </summary>
internal interface IFileSystem
{
    Stream OpenRead(string path);

    /// <summary>
    /// Creates a new file for writing; fails if it exists. Unbuffered streams write straight through, so a
    /// failed write leaves nothing behind in the stream that a later call would try to write again. An
    /// <paramref name="asynchronous"/> stream is opened for overlapped I/O where the platform has it.
    /// </summary>
    Stream CreateNew(string path, bool buffered = true, bool asynchronous = false);

    /// <summary>Makes written data durable (fsync).</summary>
    void Sync(Stream stream);

    /// <summary>Atomically replaces <paramref name="destination"/> with <paramref name="source"/> (rename).</summary>
    void Replace(string source, string destination);

    /// <summary>Makes a rename in <paramref name="directory"/> durable (fsync of the directory).</summary>
    void SyncDirectory(string directory);

    void Copy(string source, string destination);

    void Delete(string path);

    bool Exists(string path);

    bool DirectoryExists(string path);

    /// <summary>Creates a directory if it does not exist; on Unix readable only by its owner, as the table's files are by default.</summary>
    void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    long Length(string path);

    /// <summary>The files in <paramref name="directory"/> whose names match <paramref name="searchPattern"/> (<c>*</c> wildcards).</summary>
    IEnumerable<string> EnumerateFiles(string directory, string searchPattern);

    /// <summary>Cuts a file to <paramref name="length"/> bytes and fsyncs it.</summary>
    void Truncate(string path, long length);

    /// <summary>
    /// The one name of a file however it is spelled: full, with <c>.</c>, <c>..</c> and symbolic links
    /// (of the directories and of the file itself) resolved.
    /// </summary>
    string Canonical(string path);

    /// <summary>
    /// Takes the exclusive lock of <paramref name="lockPath"/> (creating the file, owner-only, if needed),
    /// held until the result is disposed or the process dies. Returns null when another holder has it, with
    /// that holder's process id when it can be read.
    /// </summary>
    IDisposable? TryLock(string lockPath, out int? holderProcessId);
}
