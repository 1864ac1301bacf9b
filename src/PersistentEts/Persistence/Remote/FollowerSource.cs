using PersistentEts.Persistence.Log;

namespace PersistentEts.Persistence.Remote;

/// <summary>
/// What a follower reads and how it builds the table it shows: the store, the table's description as its
/// owner opens it, and the readers for each file's schema. Shared by every load of one follower.
/// </summary>
internal sealed class FollowerSource<TKey, TObject>(string name, Func<TObject, TKey> keyOf, string keyText, PersistentTableOptions options,
    FollowerOptions follower, IObjectCodec<TObject> codec, IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality) where TKey : notnull
{
    private readonly Schema.SchemaReading<TObject> _reading = new(codec, options.SchemaVersion, options.Migrations, options.AcceptDroppedMembers);

    public string Name => name;

    public Func<TObject, TKey> KeyOf => keyOf;

    public string KeyText => keyText;

    public PersistentTableOptions Options => options;

    public FollowerOptions Follower => follower;

    public IObjectCodec<TObject> Codec => codec;

    public IComparer<TKey>? KeyComparer => keyComparer;

    public IEqualityComparer<TKey>? KeyEquality => keyEquality;

    public IRemoteTableStore Store => options.Remote!.Store;

    /// <summary>An empty table of the follower's shape, unpublished: only the follower holds it.</summary>
    public EtsTable<TKey, TObject> NewTable(int capacity) =>
        Ets.Build(name, keyOf, keyText, options.Table, keyComparer, keyEquality, null, Tables.TableWiring<TKey, TObject>.None, capacity);

    /// <summary>Checks a snapshot's header against the table and returns the reader for its objects.</summary>
    public IObjectCodec<TObject> ReaderFor(string objectName, SnapshotHeader header)
    {
        Snapshot.CheckCompatible(objectName, header, options.Table.Type, keyText, typeof(TKey), typeof(TObject), codec.Id);
        return _reading.ReaderFor(objectName, header.Schema, header.SchemaVersion);
    }

    /// <summary>Checks a log segment's header against the table and returns the reader for its records.</summary>
    public IObjectCodec<TObject> ReaderFor(string objectName, LogSegmentHeader header)
    {
        Snapshot.CheckCompatible(objectName, header.TableType, header.Key, header.KeyType, header.ObjectType, header.Codec,
            options.Table.Type, keyText, typeof(TKey), typeof(TObject), codec.Id);
        return _reading.ReaderFor(objectName, header.Schema, header.SchemaVersion);
    }
}
