using System.Linq.Expressions;
using PersistentEts.Persistence;
using PersistentEts.Persistence.IO;
using PersistentEts.Persistence.Remote;

namespace PersistentEts;

/// <summary>
/// The seed's <c>PersistentEts.new/3</c>: an ETS table kept in memory and saved to a file in the
/// background. (In C# a type cannot share its namespace's name, hence <c>PersistentTable.New</c>.)
/// </summary>
public static class PersistentTable
{
    /// <summary>
    /// Opens the table saved at <paramref name="path"/>, or creates an empty one if there is no file.
    /// The result is an ordinary owner handle — every ETS operation works — whose
    /// <see cref="PersistentEtsTable{TKey, TObject}.Persistence"/> (never null) saves it every <see cref="PersistentTableOptions.PersistEvery"/>
    /// when it changed, on <c>Flush</c>, on <see cref="EtsTable{TKey, TObject}.DeleteTable"/>, when the owner ends
    /// (dispose, lifetime token, or hand-over to nobody) and when the process exits gracefully.
    /// </summary>
    /// <exception cref="SnapshotFileException">The file exists but is damaged, foreign, truncated or unreadable.</exception>
    /// <exception cref="SnapshotMismatchException">The file holds a table of another type, key, stored type or codec.</exception>
    public static PersistentEtsTable<TKey, TObject> New<TKey, TObject>(string name, string path, Expression<Func<TObject, TKey>> key,
        PersistentTableOptions? options = null, IObjectCodec<TObject>? codec = null, IComparer<TKey>? keyComparer = null,
        IEqualityComparer<TKey>? keyEquality = null, CancellationToken ownerLifetime = default) where TKey : notnull
    {
        if (key is null) Throw.Argument(nameof(key), "A table needs a key selector.");
        return Open(name, path, key.Compile(), key.ToString(), options ?? PersistentTableOptions.Default,
            codec ?? MessagePackObjectCodec<TObject>.Instance, keyComparer, keyEquality, ownerLifetime, PhysicalFileSystem.Instance);
    }

    /// <summary>
    /// Opens a read-only follower of a remote table (<paramref name="options"/>' <see cref="PersistentTableOptions.Remote"/>
    /// names the store): it loads the newest snapshot from the store, catches up with the owner's log, and
    /// returns; from then on it applies the owner's new records as they reach the store (see
    /// <see cref="FollowerTable{TKey, TObject}"/>). It takes no lease and writes nothing, so any number of
    /// machines may follow one owner. <paramref name="options"/> are the table's options as its owner opens
    /// it (type, schema, store): a follower checks every file against them, and <see cref="FollowerTable{TKey, TObject}.Promote"/>
    /// opens the owner with them.
    /// </summary>
    /// <exception cref="RemoteStoreException">The store cannot be read, or a snapshot or log segment in it is damaged.</exception>
    /// <exception cref="SnapshotMismatchException">The store holds a table of another type, key, stored type or codec.</exception>
    public static FollowerTable<TKey, TObject> Follow<TKey, TObject>(string name, Expression<Func<TObject, TKey>> key, PersistentTableOptions options,
        FollowerOptions? follower = null, IObjectCodec<TObject>? codec = null, IComparer<TKey>? keyComparer = null,
        IEqualityComparer<TKey>? keyEquality = null) where TKey : notnull
    {
        if (key is null) Throw.Argument(nameof(key), "A table needs a key selector.");
        if (options is null) Throw.Argument(nameof(options), "A follower needs the table's options, with Remote naming its store.");
        Ets.ValidateName(name, nameof(name));
        options.Validate();
        if (options.Remote is null) Throw.Argument(nameof(options), "A follower reads a remote table: set options.Remote to the owner's store.");
        follower ??= FollowerOptions.Default;
        follower.Validate();
        return FollowerTable<TKey, TObject>.Open(new FollowerSource<TKey, TObject>(name, key.Compile(), key.ToString(), options, follower,
            codec ?? MessagePackObjectCodec<TObject>.Instance, keyComparer, keyEquality));
    }

    internal static PersistentEtsTable<TKey, TObject> Open<TKey, TObject>(string name, string path, Func<TObject, TKey> keyOf, string keyText,
        PersistentTableOptions options, IObjectCodec<TObject> codec, IComparer<TKey>? keyComparer, IEqualityComparer<TKey>? keyEquality,
        CancellationToken ownerLifetime, IFileSystem fs) where TKey : notnull =>
        TableOpener.Open(name, path, keyOf, keyText, options, codec, keyComparer, keyEquality, ownerLifetime, fs);
}
