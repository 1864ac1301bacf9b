namespace PersistentEts;

/// <summary>The four ETS table types.</summary>
public enum TableType
{
    /// <summary>ETS <c>set</c>: one object per key, hashed, no defined order.</summary>
    Set,

    /// <summary>ETS <c>ordered_set</c>: one object per key, kept in key order by a comparer.</summary>
    OrderedSet,

    /// <summary>ETS <c>bag</c>: several objects per key, but never two equal objects under one key.</summary>
    Bag,

    /// <summary>ETS <c>duplicate_bag</c>: several objects per key, equal objects allowed.</summary>
    DuplicateBag,
}

/// <summary>Helpers for <see cref="TableType"/>.</summary>
public static class TableTypeExtensions
{
    /// <summary>The ETS spelling of the type: <c>set</c>, <c>ordered_set</c>, <c>bag</c> or <c>duplicate_bag</c>.</summary>
    public static string ToEtsName(this TableType type) => type switch
    {
        TableType.Set => "set",
        TableType.OrderedSet => "ordered_set",
        TableType.Bag => "bag",
        TableType.DuplicateBag => "duplicate_bag",
        _ => type.ToString(),
    };

    /// <summary>True for <see cref="TableType.Bag"/> and <see cref="TableType.DuplicateBag"/>.</summary>
    public static bool IsBag(this TableType type) => type is TableType.Bag or TableType.DuplicateBag;
}
