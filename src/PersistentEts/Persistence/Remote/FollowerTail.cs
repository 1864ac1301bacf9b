using PersistentEts.Persistence.Format;
using PersistentEts.Persistence.IO;
using PersistentEts.Persistence.Log;

namespace PersistentEts.Persistence.Remote;

/// <summary>
/// One load of a follower's table: a snapshot generation loaded into a table of its own, then the log after
/// it applied record by record, whole records in log order, so the table always shows a prefix of the
/// owner's history. A loader that never stops replaying.
/// </summary>
/// <remarks>
/// Only one thread uses a tail at a time (the opener, then the follower's poll loop); the follower publishes
/// <see cref="Position"/> to its readers itself. Reading the table needs no tail: its store makes each
/// applied record visible whole (a batch through <see cref="Tables.TableCore{TKey, TObject}.RestoreAtomically"/>).
/// </remarks>
internal sealed class FollowerTail<TKey, TObject> where TKey : notnull
{
    /// <summary>How much of a segment one read asks for; doubled while a single record is larger.</summary>
    private const int ReadBytes = 4 << 20;

    private readonly FollowerSource<TKey, TObject> _source;
    private int _readBytes = ReadBytes;

    // The reader of the current segment's records, set once its header is read; null at offset 0.
    private IObjectCodec<TObject>? _codec;

    private FollowerTail(FollowerSource<TKey, TObject> source, EtsTable<TKey, TObject> table, long generation, LogPosition position)
    {
        _source = source;
        Table = table;
        Generation = generation;
        Position = position;
    }

    /// <summary>The table this load fills (unpublished: reachable only through the follower).</summary>
    public EtsTable<TKey, TObject> Table { get; }

    /// <summary>The snapshot generation the load started from (0: none).</summary>
    public long Generation { get; }

    /// <summary>Just past the last record applied.</summary>
    public LogPosition Position { get; private set; }

    /// <summary>Records applied by this load.</summary>
    public long AppliedRecords { get; private set; }

    /// <summary>
    /// When the last poll listed the log: after a poll that caught up, every record the store held at that
    /// moment is applied (a record in a segment listed then was read after it; one in a later segment made
    /// before it would have been listed).
    /// </summary>
    public DateTimeOffset ListedAt { get; private set; }

    /// <summary>Records read from the store but not yet applied (during a poll).</summary>
    public long RecordsBehind { get; private set; }

    /// <summary>
    /// Loads the manifest's current snapshot into a new table, staged through a file that is checked whole
    /// (structure and every checksum) as it loads. The log is not read yet: <see cref="PollAsync"/> does that.
    /// </summary>
    public static async Task<FollowerTail<TKey, TObject>> LoadAsync(FollowerSource<TKey, TObject> source, CancellationToken cancellationToken)
    {
        var store = source.Store;
        var manifest = await store.ReadManifestAsync(cancellationToken).ConfigureAwait(false);
        if (manifest.Generation == 0) return new FollowerTail<TKey, TObject>(source, source.NewTable(0), 0, new LogPosition(manifest.LogSegment, 0));
        var name = store.SnapshotName(manifest.Generation);
        var staged = Path.Combine(source.Follower.WorkDirectory ?? Path.GetTempPath(), $"pets-follower-{Guid.NewGuid():N}.pets");
        try
        {
            await using (var content = await store.OpenSnapshotAsync(manifest.Generation, cancellationToken).ConfigureAwait(false))
            await using (var file = new FileStream(staged, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            using var stream = Snapshot.OpenForRead(PhysicalFileSystem.Instance, staged);
            var reader = new SnapshotReader(stream, name);
            var header = reader.ReadHeader();
            var objects = source.ReaderFor(name, header);
            var table = source.NewTable(reader.PeekObjectCount());
            Snapshot.LoadInto(reader, table.Core, objects, verify: true, name);
            // The snapshot's own header says where its log continues: the manifest names the same segment.
            return new FollowerTail<TKey, TObject>(source, table, manifest.Generation, new LogPosition(header.LogSegment, 0));
        }
        catch (SnapshotFileException e)
        {
            throw new RemoteStoreException(name, $"the snapshot cannot be loaded ({e.Problem})", e);
        }
        catch (IOException e)
        {
            throw new RemoteStoreException(name, $"the snapshot could not be staged in '{staged}' ({e.Message})", e);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    /// <summary>What a poll found.</summary>
    public enum Outcome
    {
        /// <summary>Everything the store held when the poll's last listing was taken is applied.</summary>
        CaughtUp,

        /// <summary>The log this load needs was retired behind a newer snapshot: load that one (<see cref="LoadAsync"/>).</summary>
        Retired,
    }

    /// <summary>
    /// Reads and applies the log from <see cref="Position"/> to the end the store has, segment after segment,
    /// adding each change to <paramref name="changes"/> when given. A segment counts as finished once a later
    /// one was listed before it was read to its end: the owner ships segments in order, so by then no more
    /// bytes can come to it.
    /// </summary>
    public async Task<Outcome> PollAsync(List<FollowerChange<TObject>>? changes, CancellationToken cancellationToken)
    {
        var store = _source.Store;
        while (true)
        {
            ListedAt = DateTimeOffset.UtcNow;
            var listed = await store.ListLogSegmentsAsync(cancellationToken).ConfigureAwait(false);
            var seq = Position.Segment;
            var next = listed.Where(s => s > seq).DefaultIfEmpty(-1).First();
            var asked = _readBytes;
            var bytes = await store.ReadLogAsync(seq, Position.Offset, asked, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                // Gone, or never made. Retired behind a snapshot once the manifest moved past it (it is deleted
                // only after that); otherwise it never got a record and the owner went on to a later one.
                var manifest = await store.ReadManifestAsync(cancellationToken).ConfigureAwait(false);
                if (manifest.LogSegment > seq) return Outcome.Retired;
                // A table without a log (snapshot durability) says so with segment 0: each new snapshot is the news.
                if (manifest.LogSegment == 0 && manifest.Generation > Generation) return Outcome.Retired;
                if (next < 0) return Outcome.CaughtUp;
                if (Position.Offset > 0)
                    throw new RemoteStoreException(store.LogSegmentName(seq), $"it was deleted after this follower read it to byte {Position.Offset}, yet no snapshot covers it");
                MoveTo(next);
                continue;
            }
            var consumed = Apply(seq, bytes, changes);
            if (bytes.Length == asked)
            {
                // More may follow; a single record larger than a read needs a larger one.
                if (consumed == 0) _readBytes = checked(asked * 2);
                continue;
            }
            if (next < 0) return Outcome.CaughtUp;
            // Read to its end after a later segment was listed: finished.
            if (consumed < bytes.Length)
                throw new LogDamagedException(store.LogSegmentName(seq), Position.Offset, "the segment ends inside a record, and a later segment exists");
            MoveTo(next);
        }
    }

    private void MoveTo(long seq)
    {
        Position = new LogPosition(seq, 0);
        _codec = null;
    }

    /// <summary>Applies the whole records in <paramref name="bytes"/> (read at <see cref="Position"/>); returns the bytes they took.</summary>
    private int Apply(long seq, byte[] bytes, List<FollowerChange<TObject>>? changes)
    {
        var name = _source.Store.LogSegmentName(seq);
        var at = 0;
        if (Position.Offset == 0)
        {
            if (bytes.Length == 0) return 0;
            // The first append of a segment carries its header with the first records, in one piece.
            var header = LogSegmentHeader.Read(new MemoryStream(bytes, writable: false), name, seq, isLast: true, out var headerLength)
                ?? throw new LogDamagedException(name, 0, "the segment header is incomplete");
            _codec = _source.ReaderFor(name, header);
            at = (int)headerLength;
            Position = new LogPosition(seq, headerLength);
        }
        var codec = _codec ?? throw new InvalidOperationException("A segment is read past its header only after the header.");
        var records = new List<(LogRecord<TObject> Record, long End)>();
        var used = LogReader.ReadRecords(bytes.AsMemory(at), Position.Offset, name, codec, (record, end) => records.Add((record, end)));
        RecordsBehind = records.Count;
        var core = Table.Core;
        foreach (var (record, end) in records)
        {
            LogRecovery.Apply(core, record);
            if (changes is not null) Describe(record, changes);
            Position = new LogPosition(seq, end);
            AppliedRecords++;
            RecordsBehind--;
        }
        return at + used;
    }

    private static void Describe(LogRecord<TObject> record, List<FollowerChange<TObject>> changes)
    {
        switch (record)
        {
            case LogRecord<TObject>.PutRecord put:
                changes.Add(new FollowerChange<TObject>(FollowerChangeKind.Put, put.Objects));
                break;
            case LogRecord<TObject>.RemoveRecord remove:
                changes.Add(new FollowerChange<TObject>(FollowerChangeKind.Remove, [remove.AnyObjectOfKey]));
                break;
            case LogRecord<TObject>.ClearRecord:
                changes.Add(new FollowerChange<TObject>(FollowerChangeKind.Clear, []));
                break;
            case LogRecord<TObject>.BatchRecord batch:
                foreach (var r in batch.Records) Describe(r, changes);
                break;
        }
    }
}
