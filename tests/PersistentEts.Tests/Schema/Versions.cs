// One stored type, Row (with a nested Address), as successive versions of an application would change it.
// Each namespace stands for one version; the tests retarget a file written by V1 to the version under test.

namespace PersistentEts.Tests.Schema.V1
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home);
}

namespace PersistentEts.Tests.Schema.NullableAdded
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, string? Email);
}

namespace PersistentEts.Tests.Schema.DefaultedAdded
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, int Level = 7);
}

namespace PersistentEts.Tests.Schema.RequiredAdded
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, string Email);
}

namespace PersistentEts.Tests.Schema.Removed
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, int Count, Address Home);
}

namespace PersistentEts.Tests.Schema.Renamed
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string FullName, string? Nick, int Count, Address Home);
}

namespace PersistentEts.Tests.Schema.Widened
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, long Count, Address Home);
}

namespace PersistentEts.Tests.Schema.Retyped
{
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, string Count, Address Home);
}

namespace PersistentEts.Tests.Schema.NestedRenamed
{
    public sealed record Address(string StreetName);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home);
}
