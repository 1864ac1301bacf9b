namespace PersistentEts.Tests.Tables;

public sealed class OrderedSetTests
{
    public sealed record Row(int Id, string Text);

    private static EtsTable<int, Row> Filled(int n, IComparer<int>? comparer = null)
    {
        var t = Ets.New("ord", (Row r) => r.Id, new TableOptions { Type = TableType.OrderedSet }, keyComparer: comparer);
        // Insert out of order, enough to split many leaves.
        t.Insert(Enumerable.Range(0, n).Select(i => (i * 7919) % n).Select(i => new Row(i, $"r{i}")));
        return t;
    }

    [Fact]
    public void Traversal_IsInKeyOrder_BothWays()
    {
        using var t = Filled(2_000);
        Assert.True(t.TryFirst(out var first));
        Assert.Equal(0, first);
        Assert.True(t.TryLast(out var last));
        Assert.Equal(1_999, last);
        Assert.True(t.TryNext(41, out var n));
        Assert.Equal(42, n);
        Assert.True(t.TryPrev(42, out var p));
        Assert.Equal(41, p);
        Assert.False(t.TryNext(1_999, out _));
        Assert.False(t.TryPrev(0, out _));
        Assert.Equal(Enumerable.Range(0, 2_000), t.ToList().Select(r => r.Id));
    }

    [Fact]
    public void NextAndPrev_FromAbsentKeys_FindTheNeighbours()
    {
        using var t = Ets.New("gaps", (Row r) => r.Id, new TableOptions { Type = TableType.OrderedSet });
        t.Insert([new Row(10, ""), new Row(20, ""), new Row(30, "")]);
        Assert.True(t.TryNext(15, out var n));
        Assert.Equal(20, n);
        Assert.True(t.TryPrev(15, out var p));
        Assert.Equal(10, p);
        Assert.True(t.TryPrev(99, out var pl));
        Assert.Equal(30, pl);
        Assert.True(t.TryNext(-5, out var nf));
        Assert.Equal(10, nf);
    }

    [Fact]
    public void CustomComparer_DefinesOrderAndKeyIdentity()
    {
        using var t = Filled(100, Comparer<int>.Create((a, b) => b.CompareTo(a)));
        Assert.True(t.TryFirst(out var first));
        Assert.Equal(99, first);
        Assert.Equal(Enumerable.Range(0, 100).Reverse(), t.ToList().Select(r => r.Id));
    }

    [Fact]
    public void FoldRight_GoesInDescendingKeyOrder()
    {
        using var t = Filled(50);
        var keys = t.FoldRight(new List<int>(), (acc, r) => { acc.Add(r.Id); return acc; });
        Assert.Equal(Enumerable.Range(0, 50).Reverse(), keys);
    }

    [Fact]
    public void SelectReverse_WithLimit_PagesDownward()
    {
        using var t = Filled(3_000);
        var spec = MatchSpec.Create<Row, int>(r => r.Id % 3 == 0, r => r.Id);
        var all = new List<int>();
        for (var page = t.SelectReverse(spec, 250); ; page = t.Select(page.Continuation!))
        {
            all.AddRange(page.Items);
            if (page.IsEnd) break;
        }
        Assert.Equal(Enumerable.Range(0, 3_000).Where(i => i % 3 == 0).Reverse(), all);
    }

    [Fact]
    public void Slot_IsTheNthObject()
    {
        using var t = Filled(10);
        Assert.Equal(3, t.Slot(3)![0].Id);
        Assert.Null(t.Slot(10));
    }

    [Fact]
    public void DeletingEverything_LeavesAnEmptyUsableTable()
    {
        using var t = Filled(1_000);
        for (var i = 0; i < 1_000; i += 2) t.Delete(i);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => 2 * i + 1), t.ToList().Select(r => r.Id));
        for (var i = 1; i < 1_000; i += 2) t.Delete(i);
        Assert.Equal(0, t.Count);
        Assert.False(t.TryFirst(out _));
        t.Insert(new Row(5, ""));
        Assert.Single(t.ToList());
    }
}
