using System.Text.RegularExpressions;
using PersistentEts.Persistence.IO;

namespace PersistentEts.Tests.Reliability;

/// <summary>
/// An in-memory file system that knows what a power loss keeps: a file's bytes as of its last fsync, and
/// a directory's names as of its last directory fsync. It can fail the k-th I/O operation (write, fsync,
/// rename, directory fsync, delete, create, truncate) once or from then on, with EIO or ENOSPC.
/// </summary>
internal sealed class SimulatedFileSystem : IFileSystem
{
    private sealed class Inode
    {
        public byte[] Data = [];
        public int Length;
        public byte[] Synced = [];
    }

    private readonly object _gate = new();
    private readonly Dictionary<string, Inode> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Inode> _durableNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locked = new(StringComparer.Ordinal);

    public SimulatedFileSystem(params string[] directories)
    {
        foreach (var d in directories) _directories.Add(d);
    }

    /// <summary>I/O operations so far (each counts as one fault point).</summary>
    public int Operations { get; private set; }

    /// <summary>Fail the operation with this number (1-based); 0 never.</summary>
    public int FailAt { get; set; }

    /// <summary>Keep failing every operation after the first failure.</summary>
    public bool FailFromThenOn { get; set; }

    /// <summary>Fail with "no space left" instead of "I/O error".</summary>
    public bool NoSpace { get; set; }

    /// <summary>Set once an injected failure happened.</summary>
    public bool Failed { get; private set; }

    /// <summary>The kind of the first operation that failed ("write", "fsync", "rename", "fsync-dir", "delete", …).</summary>
    public string? FailedOperation { get; private set; }

    private void Step(string what, string path)
    {
        lock (_gate)
        {
            Operations++;
            if ((FailAt > 0 && Operations == FailAt) || (FailFromThenOn && Failed))
            {
                if (!Failed) FailedOperation = what;
                Failed = true;
                throw new IOException(NoSpace ? $"No space left on device ({what} {path})" : $"Input/output error ({what} {path})");
            }
        }
    }

    /// <summary>ftruncate to a shorter length (what the log does to cut a half-written tail).</summary>
    private void Cut(Inode inode, long length, string path)
    {
        Step("truncate", path);
        lock (_gate) inode.Length = (int)Math.Min(inode.Length, length);
    }

    /// <summary>
    /// The file system a machine would find after losing power now: unsynced bytes gone (with
    /// <paramref name="tearRandom"/>, a random prefix of each file's unsynced tail survives, as a torn write),
    /// names as of the last directory fsync. Faults are not carried over.
    /// </summary>
    public SimulatedFileSystem AfterPowerLoss(Random? tearRandom = null)
    {
        lock (_gate)
        {
            var next = new SimulatedFileSystem([.. _directories]);
            var copies = new Dictionary<Inode, Inode>();
            foreach (var (name, inode) in _durableNames)
            {
                if (!copies.TryGetValue(inode, out var copy))
                {
                    var keep = inode.Synced;
                    if (tearRandom is not null && inode.Length > keep.Length && inode.Data.AsSpan(0, keep.Length).SequenceEqual(keep))
                    {
                        var extra = tearRandom.Next(0, inode.Length - keep.Length + 1);
                        keep = inode.Data[..(keep.Length + extra)];
                    }
                    copy = new Inode { Data = [.. keep], Length = keep.Length, Synced = [.. keep] };
                    copies[inode] = copy;
                }
                next._names[name] = copy;
                next._durableNames[name] = copy;
            }
            return next;
        }
    }

    public Stream OpenRead(string path)
    {
        lock (_gate)
        {
            if (!_names.TryGetValue(path, out var inode)) throw new FileNotFoundException($"Could not find file '{path}'.", path);
            return new MemoryStream(inode.Data[..inode.Length], writable: false);
        }
    }

    public Stream CreateNew(string path, bool buffered = true, bool asynchronous = false)
    {
        Step("create", path);
        lock (_gate)
        {
            if (!_directories.Contains(Path.GetDirectoryName(path) ?? "")) throw new DirectoryNotFoundException(path);
            if (_names.ContainsKey(path)) throw new IOException($"The file '{path}' already exists.");
            var inode = new Inode();
            _names[path] = inode;
            return new SimStream(this, inode, path);
        }
    }

    // Paths here are already canonical: the simulation has no links.
    public string Canonical(string path) => Path.GetFullPath(path);

    /// <summary>An in-memory stand-in for the OS lock; like it, it does not survive <see cref="AfterPowerLoss"/>.</summary>
    public IDisposable? TryLock(string lockPath, out int? holderProcessId)
    {
        holderProcessId = null;
        lock (_gate)
        {
            if (!_locked.Add(lockPath)) return null;
        }
        return new Unlock(this, lockPath);
    }

    private sealed class Unlock(SimulatedFileSystem fs, string path) : IDisposable
    {
        public void Dispose()
        {
            lock (fs._gate) fs._locked.Remove(path);
        }
    }

    public void Sync(Stream stream)
    {
        var s = (SimStream)stream;
        Step("fsync", s.Path);
        lock (_gate) s.Inode.Synced = s.Inode.Data[..s.Inode.Length];
    }

    public void Replace(string source, string destination)
    {
        Step("rename", source);
        lock (_gate)
        {
            if (!_names.Remove(source, out var inode)) throw new FileNotFoundException(source);
            _names[destination] = inode;
        }
    }

    public void SyncDirectory(string directory)
    {
        Step("fsync-dir", directory);
        lock (_gate)
        {
            foreach (var name in _durableNames.Keys.Where(n => Path.GetDirectoryName(n) == directory).ToList()) _durableNames.Remove(name);
            foreach (var (name, inode) in _names.Where(kv => Path.GetDirectoryName(kv.Key) == directory)) _durableNames[name] = inode;
        }
    }

    public void Copy(string source, string destination)
    {
        Step("copy", source);
        lock (_gate)
        {
            var from = _names[source];
            var inode = new Inode { Data = from.Data[..from.Length], Length = from.Length };
            _names[destination] = inode;
        }
    }

    public void Delete(string path)
    {
        Step("delete", path);
        lock (_gate) _names.Remove(path);
    }

    public bool Exists(string path)
    {
        lock (_gate) return _names.ContainsKey(path);
    }

    public bool DirectoryExists(string path)
    {
        lock (_gate) return _directories.Contains(path);
    }

    public long Length(string path)
    {
        lock (_gate) return _names[path].Length;
    }

    public void Truncate(string path, long length)
    {
        Step("truncate", path);
        lock (_gate)
        {
            var inode = _names[path];
            inode.Length = (int)Math.Min(length, inode.Length);
            inode.Synced = inode.Data[..inode.Length];
        }
    }

    public IEnumerable<string> EnumerateFiles(string directory, string searchPattern)
    {
        var regex = new Regex("^" + Regex.Escape(searchPattern).Replace("\\*", ".*") + "$");
        lock (_gate) return _names.Keys.Where(n => Path.GetDirectoryName(n) == directory && regex.IsMatch(Path.GetFileName(n))).ToList();
    }

    private void Append(Inode inode, ReadOnlySpan<byte> bytes, string path)
    {
        Step("write", path);
        lock (_gate)
        {
            if (inode.Data.Length < inode.Length + bytes.Length) Array.Resize(ref inode.Data, Math.Max(inode.Data.Length * 2, inode.Length + bytes.Length));
            bytes.CopyTo(inode.Data.AsSpan(inode.Length));
            inode.Length += bytes.Length;
        }
    }

    /// <summary>An append-only stream over an inode; every Write is one fault point.</summary>
    private sealed class SimStream(SimulatedFileSystem fs, Inode inode, string path) : Stream
    {
        public Inode Inode => inode;
        public string Path => path;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inode.Length;
        public override long Position { get => inode.Length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => fs.Cut(inode, value, path);
        public override void Write(byte[] buffer, int offset, int count) => fs.Append(inode, buffer.AsSpan(offset, count), path);
        public override void Write(ReadOnlySpan<byte> buffer) => fs.Append(inode, buffer, path);
    }
}
