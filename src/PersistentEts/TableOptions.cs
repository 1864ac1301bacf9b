namespace PersistentEts;

/// <summary>
/// The options of a table, the counterpart of the option list of <c>ets:new/2</c>. Immutable; use
/// <c>with</c> expressions to derive variants.
/// </summary>
/// <remarks>
/// <see cref="Type"/>, the key and the stored type are semantic: they decide what the table holds.
/// The concurrency flags only tune performance and never change results.
/// </remarks>
public sealed record TableOptions
{
    /// <summary>The default options: a protected, unnamed <see cref="TableType.Set"/>.</summary>
    public static TableOptions Default { get; } = new();

    /// <summary>The table type. Default <see cref="TableType.Set"/>.</summary>
    public TableType Type { get; init; } = TableType.Set;

    /// <summary>Who may read and write. Default <see cref="TableProtection.Protected"/>, as in ETS.</summary>
    public TableProtection Protection { get; init; } = TableProtection.Protected;

    /// <summary>
    /// ETS <c>named_table</c>: register the name so that <see cref="Ets.Whereis{TKey, TObject}(string)"/>
    /// finds the table. Two live named tables cannot share a name; unnamed tables can.
    /// </summary>
    public bool NamedTable { get; init; }

    /// <summary>
    /// ETS <c>read_concurrency</c>. Accepted for familiarity; reads are already lock-free on hashed
    /// tables, so it changes nothing.
    /// </summary>
    public bool ReadConcurrency { get; init; }

    /// <summary>
    /// ETS <c>write_concurrency</c>. When true, hashed tables use four times more lock stripes
    /// (see <see cref="LockStripes"/>). Never changes results.
    /// </summary>
    public bool WriteConcurrency { get; init; }

    /// <summary>ETS <c>decentralized_counters</c>. Accepted; the size counter is always striped, so it changes nothing.</summary>
    public bool DecentralizedCounters { get; init; }

    /// <summary>
    /// ETS <c>compressed</c>. In memory, objects are references and are not compressed; the table's files
    /// are: a persistent table's saves, and <c>Snapshot.Save</c> without write options, compress their blocks
    /// with LZ4 (as <see cref="Persistence.SnapshotWriteOptions.Compress"/> does).
    /// </summary>
    public bool Compressed { get; init; }

    /// <summary>
    /// Number of write-lock stripes of a hashed table, a power of two from 1 to 4096. Null picks
    /// max(64, 16 × processors), or 64 × processors with <see cref="WriteConcurrency"/>. Ordered tables always use one lock.
    /// </summary>
    public int? LockStripes { get; init; }

    /// <summary>
    /// Allow a stored type with public setters or public writable fields. Off by default, because ETS copies
    /// objects and a mutable object changed after insert would change the table behind its locks.
    /// </summary>
    public bool AllowMutableObjects { get; init; }

    /// <summary>Checks every option and throws <see cref="EtsArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Type))
            Throw.Argument(nameof(Type), $"Unknown table type {(int)Type}.");
        if (!Enum.IsDefined(Protection))
            Throw.Argument(nameof(Protection), $"Unknown protection {(int)Protection}.");
        if (LockStripes is { } s && (s < 1 || s > 4096 || (s & (s - 1)) != 0))
            Throw.Argument(nameof(LockStripes), $"LockStripes must be a power of two from 1 to 4096, not {s}.");
    }

    internal int ResolveStripes()
    {
        if (LockStripes is { } s) return s;
        // Enough stripes that two writers rarely meet on one; each costs a padded lock and a stats line.
        var wanted = Math.Max(64, Environment.ProcessorCount * (WriteConcurrency ? 64 : 16));
        return (int)Math.Min(4096, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)wanted));
    }
}
