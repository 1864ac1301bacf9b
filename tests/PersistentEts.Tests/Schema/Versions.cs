// One stored type, Row (with a nested Address, an enum and a list), as successive versions of an application
// would change it. Each namespace stands for one version; the tests retarget files written by V1 to the
// version under test (objects hold no type names, headers do).

namespace PersistentEts.Tests.Schema.V1
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.NullableAdded
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores, string? Email);
}

namespace PersistentEts.Tests.Schema.DefaultedAdded
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores, int Rank = 7);
}

namespace PersistentEts.Tests.Schema.RequiredAdded
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores, string Email);
}

namespace PersistentEts.Tests.Schema.Removed
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.Renamed
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string FullName, string? Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.Widened
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, long Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.Retyped
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, string Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.NestedRenamed
{
    public enum Kind { Low, High }
    public sealed record Address(string StreetName);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.NowNullable
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string? Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.NowNonNullable
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.EnumAdded
{
    public enum Kind { Low, High, Urgent }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.ElementRetyped
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<string> Scores);
}

namespace PersistentEts.Tests.Schema.KeyRetyped
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(long Id, string Name, string? Nick, int Count, Address Home, Kind Level, List<int> Scores);
}

namespace PersistentEts.Tests.Schema.TwoSteps
{
    public enum Kind { Low, High }
    public sealed record Address(string Street);
    public sealed record Row(int Id, string FullName, string? Nick, int Count, Address Home, Kind Level, List<int> Scores, string Email);
}
