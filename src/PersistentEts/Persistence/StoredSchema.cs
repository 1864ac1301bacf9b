namespace PersistentEts.Persistence;

/// <summary>
/// The schema text files record for a stored type: for the type and every record type reachable from it,
/// its members (public properties and fields, by name) with their types and nullability, as JSON. A custom
/// <see cref="IObjectCodec{TObject}"/> that stores objects member by member returns this from its
/// <see cref="IObjectCodec{TObject}.Schema"/> to get the same checks as the default codec.
/// </summary>
public static class StoredSchema
{
    /// <summary>Describes <paramref name="type"/>; throws <see cref="EtsArgumentException"/> when reflection cannot.</summary>
    public static string Describe(Type type)
    {
        if (type is null) Throw.Argument(nameof(type), "A type is required.");
        try
        {
            return Schema.TypeSchema.Describe(type);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or TypeLoadException)
        {
            throw new EtsArgumentException(nameof(type), $"The schema of {type.Name} cannot be described ({e.Message}).");
        }
    }
}
