using System.Linq.Expressions;

namespace PersistentEts;

/// <summary>
/// A compiled selection, the counterpart of an ETS match specification: a filter on objects and a
/// projection of the matches. Build one with <see cref="MatchSpec.Create{TObject}(Expression{Func{TObject, bool}})"/>
/// from expression trees (compiled once, reusable, printable) or with
/// <see cref="MatchSpec.FromDelegates{TObject, TResult}(Func{TObject, bool}, Func{TObject, TResult})"/>.
/// </summary>
/// <typeparam name="TObject">The stored object type.</typeparam>
/// <typeparam name="TResult">What is returned for each match.</typeparam>
public sealed class MatchSpec<TObject, TResult>
{
    internal MatchSpec(Func<TObject, bool> where, Func<TObject, TResult> selector, string description)
    {
        Where = where;
        Selector = selector;
        Description = description;
    }

    /// <summary>The filter: true for objects that match.</summary>
    public Func<TObject, bool> Where { get; }

    /// <summary>The projection applied to each match.</summary>
    public Func<TObject, TResult> Selector { get; }

    /// <summary>A readable form of the spec, for logs and errors.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>Factory methods for <see cref="MatchSpec{TObject, TResult}"/> (the counterpart of <c>ets:match_spec_compile/1</c>).</summary>
public static class MatchSpec
{
    /// <summary>A spec from an expression-tree filter that returns matching objects whole (like <c>match_object</c>).</summary>
    public static MatchSpec<TObject, TObject> Create<TObject>(Expression<Func<TObject, bool>> where)
    {
        if (where is null) Throw.Argument(nameof(where), "A match spec needs a filter.");
        return new(where.Compile(), static o => o, where.ToString());
    }

    /// <summary>A spec from an expression-tree filter and projection (like <c>select</c> with a body).</summary>
    public static MatchSpec<TObject, TResult> Create<TObject, TResult>(
        Expression<Func<TObject, bool>> where, Expression<Func<TObject, TResult>> selector)
    {
        if (where is null) Throw.Argument(nameof(where), "A match spec needs a filter.");
        if (selector is null) Throw.Argument(nameof(selector), "A match spec needs a projection.");
        return new(where.Compile(), selector.Compile(), $"{where} => {selector}");
    }

    /// <summary>A spec from plain delegates.</summary>
    public static MatchSpec<TObject, TResult> FromDelegates<TObject, TResult>(
        Func<TObject, bool> where, Func<TObject, TResult> selector)
    {
        if (where is null) Throw.Argument(nameof(where), "A match spec needs a filter.");
        if (selector is null) Throw.Argument(nameof(selector), "A match spec needs a projection.");
        return new(where, selector, "<delegate>");
    }
}
