namespace PersistentEts;

/// <summary>One counter to update and how, for <c>UpdateCounters</c> (ETS's list of <c>UpdateOp</c>s).</summary>
/// <param name="Field">Where the counter lives in the object.</param>
/// <param name="Op">The update to apply.</param>
public readonly record struct CounterUpdate<TObject>(CounterField<TObject> Field, CounterOp Op);
