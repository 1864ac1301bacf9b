using PersistentEts.Storage;

namespace PersistentEts.Tables;

/// <summary>
/// A point-in-time view of a table being read out for a save. Dispose it to end the capture.
/// </summary>
internal interface ISnapshotView<TObject> : IDisposable
{
    /// <summary>How long writers were held back to fix the instant.</summary>
    TimeSpan Pause { get; }

    /// <summary>What the <c>atInstant</c> callback returned (the new log segment), or 0.</summary>
    long AtInstant { get; }

    /// <summary>The table's change counter at the instant.</summary>
    long ChangeCount { get; }

    /// <summary>
    /// An ordered table's capture, in key order: adds the next objects as of the instant to
    /// <paramref name="into"/> (a slice of keys at a time, each after the copies of leaves that writers
    /// changed before the reader met them, and last the copies left); false once every object has been added. One caller at a time; only for a capture of 0 parts.
    /// </summary>
    bool ReadNext(ObjectRun<TObject> into);

    /// <summary>
    /// How many parts a hashed table's capture splits into; 0 for an ordered table, which is read through
    /// <see cref="ReadNext"/> in key order. Parts may be read in any order and by several threads at once (a
    /// save reads them in order, on its own thread: see <c>BlockEncoder</c>).
    /// </summary>
    int Parts { get; }

    /// <summary>Adds the objects of one part, as of the instant, to <paramref name="into"/>. Read each part once.</summary>
    void ReadPart(int part, ObjectRun<TObject> into);
}
