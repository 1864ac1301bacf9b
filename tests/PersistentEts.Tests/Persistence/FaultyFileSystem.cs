using PersistentEts.Persistence.IO;

namespace PersistentEts.Tests.Persistence;

public enum FaultPoint { None, Write, Sync, Replace, SyncDirectory }

/// <summary>The real file system, failing with an I/O error at a chosen step of a save.</summary>
internal sealed class FaultyFileSystem : IFileSystem
{
    private readonly PhysicalFileSystem _real = PhysicalFileSystem.Instance;

    public FaultPoint FailAt { get; set; }

    private void Maybe(FaultPoint point)
    {
        if (FailAt == point) throw new IOException($"injected failure at {point} (ENOSPC)");
    }

    public Stream OpenRead(string path) => _real.OpenRead(path);

    /// <summary>
    /// When set, streams created for asynchronous writing hold every write until this task completes, and
    /// refuse synchronous writes: what an asynchronous save writes must all go through awaited I/O.
    /// </summary>
    public Task? AsyncWriteGate { get; set; }

    /// <summary>Awaited writes made through gated streams.</summary>
    public int AsyncWrites => _asyncWrites;

    private int _asyncWrites;

    public Stream CreateNew(string path, bool buffered = true, bool asynchronous = false)
    {
        var s = _real.CreateNew(path, buffered, asynchronous);
        if (FailAt == FaultPoint.Write) return new FailingStream(s);
        return asynchronous && AsyncWriteGate is { } gate ? new GatedStream(s, gate, () => Interlocked.Increment(ref _asyncWrites)) : s;
    }

    public void Sync(Stream stream)
    {
        Maybe(FaultPoint.Sync);
        _real.Sync(stream is GatedStream gated ? gated.Inner : stream);
    }

    public void Replace(string source, string destination)
    {
        Maybe(FaultPoint.Replace);
        _real.Replace(source, destination);
    }

    public void SyncDirectory(string directory)
    {
        Maybe(FaultPoint.SyncDirectory);
        _real.SyncDirectory(directory);
    }

    public void Copy(string source, string destination) => _real.Copy(source, destination);

    public void Delete(string path) => _real.Delete(path);

    public bool Exists(string path) => _real.Exists(path);

    public bool DirectoryExists(string path) => _real.DirectoryExists(path);

    public long Length(string path) => _real.Length(path);

    public void Truncate(string path, long length) => _real.Truncate(path, length);

    public string Canonical(string path) => _real.Canonical(path);

    public IDisposable? TryLock(string lockPath, out int? holderProcessId) => _real.TryLock(lockPath, out holderProcessId);

    public IEnumerable<string> EnumerateFiles(string directory, string searchPattern) => _real.EnumerateFiles(directory, searchPattern);

    private sealed class FailingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("injected write failure (ENOSPC)");
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("injected write failure (ENOSPC)");

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A write-only stream whose writes wait for a gate and must be awaited.</summary>
    private sealed class GatedStream(Stream inner, Task gate, Action counted) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => throw new InvalidOperationException("a synchronous flush in an asynchronous save");
        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("a synchronous write in an asynchronous save");
        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("a synchronous write in an asynchronous save");
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(cancellationToken);
            counted();
            await inner.WriteAsync(buffer, cancellationToken);
        }

        /// <summary>The fsync goes to the file itself (see <see cref="FaultyFileSystem.Sync"/>).</summary>
        public Stream Inner => inner;

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
