using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace PersistentEts.Hosting;

/// <summary>
/// Checks a hosted table's settings with the library's own options validator, when the host starts
/// (<c>ValidateOnStart</c>), before any table is opened. A bad setting fails the start with
/// <see cref="EtsArgumentException"/> naming the table and the setting, the library's error type, rather
/// than later at first use.
/// </summary>
internal sealed class PersistentTableSettingsValidator(IEnumerable<HostedTableName> tables) : IValidateOptions<PersistentTableSettings>
{
    public ValidateOptionsResult Validate(string? name, PersistentTableSettings options)
    {
        // Only the settings of registered tables; other named instances are someone else's.
        if (name is null || !tables.Any(t => t.Name == name)) return ValidateOptionsResult.Skip;
        if (string.IsNullOrWhiteSpace(options.Path))
            throw new EtsArgumentException("Path", $"Persistent table '{name}' has no Path (configure PersistentEts:Tables:{name}:Path).");
        try
        {
            options.ToOptions(NullLogger.Instance).Validate();
        }
        catch (EtsArgumentException e)
        {
            throw new EtsArgumentException(e.ParamName, $"Persistent table '{name}' (PersistentEts:Tables:{name}): {e.Message}", e);
        }
        return ValidateOptionsResult.Success;
    }
}

/// <summary>The name of a table registered with <c>AddPersistentEts</c>, so the validator knows whose settings to check.</summary>
internal sealed record HostedTableName(string Name);
