using System.Text.RegularExpressions;

namespace PersistentEts.Persistence;

/// <summary>
/// Compares key selectors by structure, not by the name of their parameter: <c>r => r.Id</c> and
/// <c>x => x.Id</c> select the same key. Works on the selector's text (what a file records), so files
/// written before keep opening.
/// </summary>
internal static partial class KeyIdentity
{
    /// <summary>Whether two key selector texts select the same key.</summary>
    public static bool Same(string a, string b) => a == b || Canonical(a) == Canonical(b);

    /// <summary>
    /// The text with the lambda's parameter renamed to one fixed name wherever it stands as an identifier
    /// (not after a dot, where it would be a member's name). A selector whose text it cannot read is kept as
    /// it is, so it compares by exact text, the safe direction.
    /// </summary>
    public static string Canonical(string text)
    {
        var lambda = Lambda().Match(text);
        if (!lambda.Success) return text;
        var parameter = lambda.Groups["p"].Value;
        var body = Regex.Replace(lambda.Groups["body"].Value, $@"(?<![\w.@]){Regex.Escape(parameter)}(?!\w)", "_");
        return "_ => " + body;
    }

    [GeneratedRegex(@"^\s*\(?\s*(?<p>[A-Za-z_][A-Za-z0-9_]*)\s*\)?\s*=>\s*(?<body>.*)$", RegexOptions.Singleline)]
    private static partial Regex Lambda();
}
