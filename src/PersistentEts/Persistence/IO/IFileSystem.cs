namespace PersistentEts.Persistence.IO;

/// <summary>
/// Every file operation the persistence layer makes, so that tests can substitute a file system that
/// fails or loses unsynced data on purpose.
/// </summary>
internal interface IFileSystem
{
    Stream OpenRead(string path);

    /// <summary>Creates a new file for writing; fails if it exists.</summary>
    Stream CreateNew(string path);

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

    long Length(string path);

    /// <summary>The files in <paramref name="directory"/> whose names match <paramref name="searchPattern"/> (<c>*</c> wildcards).</summary>
    IEnumerable<string> EnumerateFiles(string directory, string searchPattern);

    /// <summary>Cuts a file to <paramref name="length"/> bytes and fsyncs it.</summary>
    void Truncate(string path, long length);
}
