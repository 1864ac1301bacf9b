using MessagePack;
using MessagePack.Resolvers;

namespace PersistentEts.Persistence;

/// <summary>
/// The default codec's MessagePack options, shared by everything that must read stored objects exactly as
/// it does (schema diagnosis, migrations): contractless, private members allowed, untrusted-data limits.
/// </summary>
internal static class DefaultCodecOptions
{
    /// <summary>The default codec's id, recorded in files; readers that interpret stored bytes as its MessagePack maps check for it.</summary>
    public const string CodecId = "msgpack-contractless/1";

    public static readonly MessagePackSerializerOptions Options = ContractlessStandardResolverAllowPrivate.Options
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
