namespace PersistentEts;

/// <summary>
/// Where a counter lives inside a stored object: how to read it and how to make a copy with a new value.
/// The counterpart of the element position in <c>ets:update_counter/3</c>.
/// </summary>
/// <typeparam name="TObject">The stored object type.</typeparam>
/// <example><code>
/// var hits = new CounterField&lt;Page&gt;(p => p.Hits, (p, v) => p with { Hits = v });   // Hits: int or long
/// table.UpdateCounter("home", hits, 1);
/// </code></example>
public sealed class CounterField<TObject>
{
    /// <summary>Creates a counter accessor.</summary>
    /// <param name="get">Reads the counter.</param>
    /// <param name="set">Returns a copy of the object with the counter set; it must not change the key.</param>
    public CounterField(Func<TObject, long> get, Func<TObject, long, TObject> set)
    {
        if (get is null) Throw.Argument(nameof(get), "A counter field needs a getter.");
        if (set is null) Throw.Argument(nameof(set), "A counter field needs a setter.");
        Get = get;
        Set = set;
    }

    /// <summary>
    /// Creates an accessor for an <see cref="int"/> counter: the counter is computed as a 64-bit value, and a
    /// result outside the 32-bit range is refused with <see cref="EtsArgumentException"/> before the table changes.
    /// </summary>
    /// <param name="get">Reads the counter.</param>
    /// <param name="set">Returns a copy of the object with the counter set; it must not change the key.</param>
    public CounterField(Func<TObject, int> get, Func<TObject, int, TObject> set)
    {
        if (get is null) Throw.Argument(nameof(get), "A counter field needs a getter.");
        if (set is null) Throw.Argument(nameof(set), "A counter field needs a setter.");
        Get = o => get(o);
        Set = (o, v) => set(o, ToInt32(v));
    }

    private static int ToInt32(long value) => value is >= int.MinValue and <= int.MaxValue
        ? (int)value
        : throw new EtsArgumentException(null, $"Counter overflow: {value} does not fit in a 32-bit integer.");

    /// <summary>Reads the counter.</summary>
    public Func<TObject, long> Get { get; }

    /// <summary>Returns a copy of the object with the counter set.</summary>
    public Func<TObject, long, TObject> Set { get; }
}

/// <summary>
/// One counter update, ETS's <c>Incr</c> or <c>{Pos, Incr, Threshold, SetValue}</c>: add
/// <see cref="Increment"/>; if a <see cref="Threshold"/> is given and the result passes it (above for a
/// positive increment, below for a negative one), the counter becomes <see cref="SetValue"/> instead.
/// </summary>
/// <param name="Increment">The amount to add (may be negative).</param>
/// <param name="Threshold">Optional threshold.</param>
/// <param name="SetValue">The value taken when the threshold is passed.</param>
public readonly record struct CounterOp(long Increment, long? Threshold = null, long SetValue = 0)
{
    /// <summary>Applies the update to a counter value, with ETS's wrap-free arithmetic (overflow throws).</summary>
    public long Apply(long current)
    {
        long next;
        try
        {
            next = checked(current + Increment);
        }
        catch (OverflowException e)
        {
            throw new EtsArgumentException(null, $"Counter overflow: {current} + {Increment} does not fit in a 64-bit integer.", e);
        }
        if (Threshold is { } t && ((Increment >= 0 && next > t) || (Increment < 0 && next < t)))
            return SetValue;
        return next;
    }

    /// <summary>A plain increment.</summary>
    public static implicit operator CounterOp(long increment) => new(increment);

    /// <summary>A plain increment (the named form of the implicit conversion).</summary>
    public static CounterOp FromInt64(long increment) => new(increment);
}
