using Microsoft.Extensions.Logging;
using PersistentEts.Persistence.IO;
using PersistentEts.Tables;

namespace PersistentEts.Persistence.Log;

/// <summary>
/// Replays the log segments written after a snapshot into the table loaded from it, each read as its
/// header says (checked against the table's schema, migrated when older).
/// </summary>
internal static class LogRecovery
{
    /// <summary>What a replay did.</summary>
    /// <param name="Records">Records applied.</param>
    /// <param name="LastSeq">The newest segment seen (0 if none).</param>
    /// <param name="TornFile">The segment whose torn last record was cut off, if any.</param>
    /// <param name="TornBytes">How many bytes were cut off.</param>
    public readonly record struct Result(long Records, long LastSeq, string? TornFile, long TornBytes);

    public static Result Replay<TKey, TObject>(IFileSystem fs, string snapshotPath, long fromSeq, TableCore<TKey, TObject> core,
        Func<string, LogSegmentHeader, IObjectCodec<TObject>> readerFor, ILogger log) where TKey : notnull
    {
        var segments = LogFormat.FindSegments(fs, snapshotPath);
        long records = 0, lastSeq = 0;
        string? tornFile = null;
        long tornBytes = 0;
        var live = segments.Where(s => s.Seq >= fromSeq).ToList();
        for (var i = 0; i < live.Count; i++)
        {
            var (seq, path) = live[i];
            lastSeq = seq;
            var isLast = i == live.Count - 1;
            LogReader.SegmentEnd end;
            long length;
            using (var stream = Snapshot.OpenForRead(fs, path))
            {
                length = stream.Length;
                end = LogReader.ReadSegment(stream, path, seq, isLast, header => readerFor(path, header), r => Apply(core, r));
            }
            records += end.Records;
            if (!end.Torn) continue;
            // The process died while appending: the record was never acknowledged. Cut it off so the
            // segment reads clean from now on, and say so.
            tornFile = path;
            tornBytes = length - end.GoodLength;
            fs.Truncate(path, end.GoodLength);
            log.LogWarning("Cut a torn last record ({Bytes} bytes) off write-ahead log {Path} at byte {Offset}", tornBytes, path, end.GoodLength);
        }
        return new Result(records, Math.Max(lastSeq, segments.Count > 0 ? segments[^1].Seq : 0), tornFile, tornBytes);
    }

    /// <summary>Applies one record; a batch's records all at once, as readers see it (see <see cref="TableCore{TKey, TObject}.RestoreAtomically"/>).</summary>
    internal static void Apply<TKey, TObject>(TableCore<TKey, TObject> core, LogRecord<TObject> record) where TKey : notnull
    {
        switch (record)
        {
            case LogRecord<TObject>.PutRecord put:
                core.RestorePut(put.Objects.AsSpan());
                break;
            case LogRecord<TObject>.RemoveRecord remove:
                core.RestoreRemove(remove.AnyObjectOfKey);
                break;
            case LogRecord<TObject>.ClearRecord:
                core.RestoreClear();
                break;
            case LogRecord<TObject>.BatchRecord batch:
                core.RestoreAtomically(batch.Records.Select(r => KeyOf(core, r)), () =>
                {
                    foreach (var r in batch.Records) Apply(core, r);
                });
                break;
        }
    }

    /// <summary>The key a batch entry changes (a batch holds puts and removes only).</summary>
    private static TKey KeyOf<TKey, TObject>(TableCore<TKey, TObject> core, LogRecord<TObject> record) where TKey : notnull => record switch
    {
        LogRecord<TObject>.PutRecord put => core.KeyOfChecked(put.Objects[0], "a log record"),
        LogRecord<TObject>.RemoveRecord remove => core.KeyOfChecked(remove.AnyObjectOfKey, "a log record"),
        _ => throw new InvalidDataException("a batch holds only puts and removes"),
    };
}
