using System.Buffers.Binary;
using System.IO.Hashing;
using PersistentEts.Persistence;
using PersistentEts.Persistence.Format;

namespace PersistentEts.Tests.Schema;

/// <summary>
/// A file written by one version of a type, opened by the next: safe changes open, the rest are refused
/// naming each member, and nothing stored is dropped without the caller naming it.
/// </summary>
public sealed class SchemaCheckTests : IDisposable
{
    private const string V1Namespace = "PersistentEts.Tests.Schema.V1.";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly PersistentTableOptions Options = new() { PersistEvery = TimeSpan.FromHours(1) };

    /// <summary>A file of two V1 rows, its header retargeted to the same types in <typeparamref name="TRow"/>'s namespace.</summary>
    private string FileFor<TRow>()
    {
        var path = _dir.File(typeof(TRow).Namespace!.Split('.')[^1] + ".pets");
        using (var t = PersistentTable.New("rows", path, (V1.Row r) => r.Id, Options))
        {
            t.Insert(new V1.Row(1, "ada", "a", 10, new V1.Address("Main St")));
            t.Insert(new V1.Row(2, "bob", null, 20, new V1.Address("Elm St")));
        }
        Retarget(path, V1Namespace, typeof(TRow).Namespace + ".");
        return path;
    }

    /// <summary>Rewrites the header as if the file had been written by the types of another namespace (objects hold no type names).</summary>
    private static void Retarget(string path, string from, string to)
    {
        var bytes = File.ReadAllBytes(path);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        var header = HeaderCodec.Decode(bytes.AsMemory(16, length), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)), path);
        var body = HeaderCodec.Encode(header with { ObjectType = header.ObjectType.Replace(from, to, StringComparison.Ordinal), Schema = header.Schema!.Replace(from, to, StringComparison.Ordinal) });
        using var output = File.Create(path);
        output.Write(bytes.AsSpan(0, 12));
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(number, body.Length);
        output.Write(number);
        output.Write(body);
        BinaryPrimitives.WriteUInt32LittleEndian(number, Crc32.HashToUInt32(body));
        output.Write(number);
        output.Write(bytes.AsSpan(16 + length + 4));
    }

    private static SchemaMismatchException Refused<TRow>(string path, System.Linq.Expressions.Expression<Func<TRow, int>> key)
    {
        var e = Assert.Throws<SchemaMismatchException>(() => PersistentTable.New("rows", path, key, Options));
        Assert.Equal(path, e.FilePath);
        return e;
    }

    [Fact]
    public void ANullableMemberAdded_Opens()
    {
        using var t = PersistentTable.New("rows", FileFor<NullableAdded.Row>(), (NullableAdded.Row r) => r.Id, Options);
        Assert.Null(t.Lookup(1)[0].Email);
        Assert.Equal("ada", t.Lookup(1)[0].Name);
    }

    [Fact]
    public void AMemberWithADefaultAdded_Opens()
    {
        using var t = PersistentTable.New("rows", FileFor<DefaultedAdded.Row>(), (DefaultedAdded.Row r) => r.Id, Options);
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void ARequiredMemberAdded_IsRefused_NamingIt()
    {
        var e = Refused(FileFor<RequiredAdded.Row>(), (RequiredAdded.Row r) => r.Id);
        Assert.Equal(["Row.Email"], e.Differences.Select(d => d.Split(' ')[0]));
        Assert.Contains("would load as null or default", e.Message);
    }

    [Fact]
    public void ARemovedMember_IsRefused_UntilTheCallerNamesIt_AndNothingIsWrittenMeanwhile()
    {
        var path = FileFor<Removed.Row>();
        var before = File.ReadAllBytes(path);
        var e = Refused(path, (Removed.Row r) => r.Id);
        Assert.Contains("Row.Nick (String) is in the file but not in the type", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path)); // never load-and-erase

        using var t = PersistentTable.New("rows", path, (Removed.Row r) => r.Id, Options with { AcceptDroppedMembers = ["Row.Nick"] });
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void ARenamedMember_IsRefused_AsOneDroppedAndOneMissing()
    {
        var e = Refused(FileFor<Renamed.Row>(), (Renamed.Row r) => r.Id);
        Assert.Equal(2, e.Differences.Count);
        Assert.Contains(e.Differences, d => d.StartsWith("Row.Name ", StringComparison.Ordinal) && d.Contains("dropped"));
        Assert.Contains(e.Differences, d => d.StartsWith("Row.FullName ", StringComparison.Ordinal) && d.Contains("required"));
    }

    [Fact]
    public void AWideningTypeChange_Opens()
    {
        using var t = PersistentTable.New("rows", FileFor<Widened.Row>(), (Widened.Row r) => r.Id, Options);
        Assert.Equal(20L, t.Lookup(2)[0].Count);
    }

    [Fact]
    public void ANarrowingOrOtherTypeChange_IsRefused_NamingBothTypes()
    {
        var e = Refused(FileFor<Retyped.Row>(), (Retyped.Row r) => r.Id);
        Assert.Equal(["Row.Count changed type from Int32 to String"], e.Differences);
    }

    [Fact]
    public void ANestedRecordsMemberRenamed_IsRefused_NamingTheNestedMember()
    {
        var e = Refused(FileFor<NestedRenamed.Row>(), (NestedRenamed.Row r) => r.Id);
        Assert.Contains(e.Differences, d => d.StartsWith("Address.Street ", StringComparison.Ordinal));
        Assert.Contains(e.Differences, d => d.StartsWith("Address.StreetName ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSameType_Opens()
    {
        using var t = PersistentTable.New("rows", FileFor<V1.Row>(), (V1.Row r) => r.Id, Options);
        Assert.Equal(2, t.Count);
    }
}
