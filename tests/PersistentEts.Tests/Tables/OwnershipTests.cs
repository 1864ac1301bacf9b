namespace PersistentEts.Tests.Tables;

public sealed class OwnershipTests
{
    public sealed record Row(int Id, string Text);

    private static EtsTable<int, Row> NewTable(TableProtection protection = TableProtection.Protected, bool named = false, CancellationToken owner = default) =>
        Ets.New(named ? $"own-{Guid.NewGuid():N}" : "own", (Row r) => r.Id,
            new TableOptions { Protection = protection, NamedTable = named }, ownerLifetime: owner);

    [Fact]
    public void DisposingTheOwner_DestroysTheTable()
    {
        var table = NewTable();
        var reader = table.ShareReadOnly();
        table.Dispose();
        Assert.Throws<TableDestroyedException>(() => reader.Lookup(1));
        Assert.Throws<TableDestroyedException>(() => table.Insert(new Row(1, "a")));
        table.Dispose(); // idempotent
    }

    [Theory]
    [InlineData(TableType.Set)]
    [InlineData(TableType.OrderedSet)]
    [InlineData(TableType.Bag)]
    [InlineData(TableType.DuplicateBag)]
    public void HandlesTakenBeforeTheEnd_ReadThroughTheirFastPath_UntilTheTableIsDestroyed(TableType type)
    {
        // TryLookup and Contains read the store a handle holds; the table's end closes that path.
        var table = Ets.New("fast", (Row r) => r.Id, new TableOptions { Type = type, Protection = TableProtection.Public });
        table.Insert(new Row(1, "a"));
        var reader = table.ShareReadOnly();
        Assert.True(reader.TryLookup(1, out var row));
        Assert.Equal("a", row.Text);
        Assert.True(reader.Contains(1));
        table.Dispose();
        Assert.Throws<TableDestroyedException>(() => reader.TryLookup(1, out _));
        Assert.Throws<TableDestroyedException>(() => reader.Contains(1));
        Assert.Throws<TableDestroyedException>(() => table.TryLookup(1, out _));
    }

    [Fact]
    public void CancellingTheOwnerLifetime_DestroysTheTable()
    {
        using var cts = new CancellationTokenSource();
        var table = NewTable(owner: cts.Token);
        cts.Cancel();
        Assert.Throws<TableDestroyedException>(() => table.Lookup(1));
    }

    [Fact]
    public void GiveAway_MovesOwnership_AndTheOldHandleLosesWriteRights()
    {
        var table = NewTable();
        table.Insert(new Row(1, "a"));
        var next = table.GiveAway();
        Assert.False(table.IsOwner);
        Assert.True(next.IsOwner);
        Assert.Throws<TableAccessException>(() => table.Insert(new Row(2, "b")));
        Assert.Single(table.Lookup(1)); // protected: a non-owner still reads
        table.Dispose(); // not the owner any more: no effect
        next.Insert(new Row(2, "b"));
        Assert.Equal(next.HandleId, next.Info().Owner);
        next.Dispose();
        Assert.Throws<TableDestroyedException>(() => next.Lookup(1));
    }

    [Fact]
    public void Heir_InheritsWhenTheOwnerEnds()
    {
        var table = NewTable();
        table.Insert(new Row(1, "a"));
        EtsTable<int, Row>? inherited = null;
        object? data = null;
        table.SetHeir((t, d) => { inherited = t; data = d; }, "gift");
        table.Dispose();
        Assert.NotNull(inherited);
        Assert.Equal("gift", data);
        Assert.True(inherited!.IsOwner);
        Assert.Single(inherited.Lookup(1));
        inherited.Dispose(); // the heir was used once: now the table goes
        Assert.Throws<TableDestroyedException>(() => inherited.Lookup(1));
    }

    [Fact]
    public void Heir_WhoseLifetimeEnded_DoesNotInherit()
    {
        using var heirGone = new CancellationTokenSource();
        heirGone.Cancel();
        var table = NewTable();
        var called = false;
        table.SetHeir((_, _) => called = true, null, heirGone.Token);
        table.Dispose();
        Assert.False(called);
        Assert.Throws<TableDestroyedException>(() => table.Lookup(1));
    }

    [Fact]
    public void DeleteTable_DestroysEvenWithAnHeir_AndIsOwnerOnly()
    {
        var table = NewTable(TableProtection.Public);
        var other = table.Share();
        var called = false;
        table.SetHeir((_, _) => called = true);
        Assert.Throws<TableAccessException>(() => ((EtsTable<int, Row>)other).DeleteTable());
        table.DeleteTable();
        Assert.False(called);
        Assert.Throws<TableDestroyedException>(() => other.Lookup(1));
    }

    [Fact]
    public void ProtectedTable_OthersReadButCannotWrite()
    {
        using var table = NewTable(TableProtection.Protected);
        table.Insert(new Row(1, "a"));
        var reader = table.ShareReadOnly();
        Assert.Single(reader.Lookup(1));
        Assert.Throws<TableAccessException>(() => table.Share());
        // Even a cast around the read-only type is caught at run time.
        var e = Assert.Throws<TableAccessException>(() => ((IEtsTable<int, Row>)reader).Insert(new Row(2, "b")));
        Assert.Contains("protected", e.Message);
    }

    [Fact]
    public void PrivateTable_OnlyTheOwnerReads()
    {
        using var table = NewTable(TableProtection.Private);
        table.Insert(new Row(1, "a"));
        Assert.Single(table.Lookup(1));
        Assert.Throws<TableAccessException>(() => table.ShareReadOnly());
        var old = table.GiveAway();
        Assert.Throws<TableAccessException>(() => table.Lookup(1));
        old.Dispose();
    }

    [Fact]
    public void PublicTable_AnyHandleWrites()
    {
        using var table = NewTable(TableProtection.Public);
        var shared = table.Share();
        shared.Insert(new Row(1, "a"));
        Assert.Single(table.Lookup(1));
    }

    [Fact]
    public void OwnerOnlyOperations_AreRefusedToOthers()
    {
        using var table = NewTable(TableProtection.Public);
        var other = (EtsTable<int, Row>)table.Share();
        Assert.Throws<TableAccessException>(() => other.GiveAway());
        Assert.Throws<TableAccessException>(() => other.SetHeir((_, _) => { }));
        Assert.Throws<TableAccessException>(() => other.ClearHeir());
    }
}
