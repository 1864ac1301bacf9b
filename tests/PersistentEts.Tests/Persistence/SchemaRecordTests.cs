using System.Text.Json;
using PersistentEts.Persistence;

namespace PersistentEts.Tests.Persistence;

/// <summary>Every snapshot records its stored type's schema and the application's schema version.</summary>
public sealed class SchemaRecordTests : IDisposable
{
    public sealed record Address(string Street, int? Zip);

    public sealed record Person(int Id, string Name, string? Nick, Address Home, IReadOnlyList<Address> Others, long[] Scores, Person? Manager);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, (string Type, bool Nullable)> Members(JsonElement types, string type) =>
        types.GetProperty(type).EnumerateArray().ToDictionary(
            m => m.GetProperty("name").GetString()!,
            m => (m.GetProperty("type").GetString()!, m.GetProperty("nullable").GetBoolean()));

    [Fact]
    public void TheSchema_NamesEveryMember_WithItsTypeAndNullability_RecursivelyForNestedRecords()
    {
        var path = _dir.File("people.pets");
        using (var t = PersistentTable.New("people", path, (Person p) => p.Id,
            new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1), SchemaVersion = 3 }))
        {
            t.Insert(new Person(1, "ada", null, new Address("Main St", null), [], [1, 2], null));
        }
        var header = Snapshot.ReadInfo(path).Header;
        Assert.Equal(2, header.FormatVersion);
        Assert.Equal(3, header.SchemaVersion);
        using var schema = JsonDocument.Parse(header.Schema!);
        var person = typeof(Person).FullName!;
        var address = typeof(Address).FullName!;
        Assert.Equal(person, schema.RootElement.GetProperty("root").GetString());
        var types = schema.RootElement.GetProperty("types");
        var p = Members(types, person);
        Assert.Equal(("System.Int32", false), p["Id"]);
        Assert.Equal(("System.String", false), p["Name"]);
        Assert.Equal(("System.String", true), p["Nick"]);
        Assert.Equal((address, false), p["Home"]);
        Assert.Equal(($"System.Collections.Generic.IReadOnlyList<{address}>", false), p["Others"]);
        Assert.Equal(("System.Int64[]", false), p["Scores"]);
        Assert.Equal((person, true), p["Manager"]); // a type that refers to itself is described once
        Assert.Equal(7, p.Count);
        var a = Members(types, address);
        Assert.Equal(("System.String", false), a["Street"]);
        Assert.Equal(("System.Nullable<System.Int32>", true), a["Zip"]);
    }

    [Fact]
    public void AVersion1File_WithoutASchema_StillLoads()
    {
        var path = _dir.File("old.pets");
        using (var t = PersistentTable.New("old", path, (Address a) => a.Street, new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) }))
        {
            t.Insert(new Address("Elm St", 12345));
        }
        // The version is in the preamble (bytes 8–9), outside the header checksum: make it a version 1 file.
        var bytes = File.ReadAllBytes(path);
        bytes[8] = 1;
        bytes[9] = 0;
        File.WriteAllBytes(path, bytes);
        Assert.Equal(1, Snapshot.ReadInfo(path).Header.FormatVersion);
        using var back = PersistentTable.New("old", path, (Address a) => a.Street, new PersistentTableOptions());
        Assert.Equal(12345, back.Lookup("Elm St")[0].Zip);
    }

    [Fact]
    public void ANegativeSchemaVersion_IsRefused() =>
        Assert.Contains("SchemaVersion", Assert.Throws<EtsArgumentException>(() =>
            PersistentTable.New("neg", _dir.File("neg.pets"), (Address a) => a.Street, new PersistentTableOptions { SchemaVersion = -1 })).Message);

    [Fact]
    public void AcceptDroppedMembers_NotNamedAsTypeDotMember_IsRefused() =>
        Assert.Contains("Type.Member", Assert.Throws<EtsArgumentException>(() =>
            PersistentTable.New("bad", _dir.File("bad.pets"), (Address a) => a.Street, new PersistentTableOptions { AcceptDroppedMembers = ["Nick"] })).Message);
}
