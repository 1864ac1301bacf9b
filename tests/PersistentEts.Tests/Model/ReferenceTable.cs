namespace PersistentEts.Tests.Model;

/// <summary>
/// The simplest possible ETS model: a dictionary of lists, with the per-type insert rules written out
/// plainly. The randomized tests compare the real table with it after every step.
/// </summary>
internal sealed class ReferenceTable(TableType type)
{
    private readonly Dictionary<int, List<ModelRow>> _rows = [];

    public long Count => _rows.Values.Sum(l => l.Count);

    public void Insert(ModelRow row)
    {
        if (!_rows.TryGetValue(row.Key, out var list)) _rows[row.Key] = list = [];
        switch (type)
        {
            case TableType.Set or TableType.OrderedSet:
                list.Clear();
                list.Add(row);
                break;
            case TableType.Bag:
                if (!list.Contains(row)) list.Add(row);
                break;
            default:
                list.Add(row);
                break;
        }
    }

    public bool InsertNew(IReadOnlyList<ModelRow> rows)
    {
        if (rows.Any(r => _rows.ContainsKey(r.Key))) return false;
        foreach (var r in rows) Insert(r);
        return true;
    }

    public List<ModelRow> Lookup(int key) => _rows.TryGetValue(key, out var l) ? [.. l] : [];

    public List<ModelRow> Take(int key)
    {
        var l = Lookup(key);
        _rows.Remove(key);
        return l;
    }

    public bool DeleteObject(ModelRow row)
    {
        if (!_rows.TryGetValue(row.Key, out var l) || l.RemoveAll(r => r == row) == 0) return false;
        if (l.Count == 0) _rows.Remove(row.Key);
        return true;
    }

    public long SelectDelete(Func<ModelRow, bool> where)
    {
        long n = 0;
        foreach (var key in _rows.Keys.ToList())
        {
            var l = _rows[key];
            n += l.RemoveAll(r => where(r));
            if (l.Count == 0) _rows.Remove(key);
        }
        return n;
    }

    public long UpdateCounter(int key, long increment)
    {
        var row = _rows[key][0];
        var next = row with { Counter = row.Counter + increment };
        _rows[key][0] = next;
        return next.Counter;
    }

    public void Clear() => _rows.Clear();

    /// <summary>Every row, sorted by key then insertion order: the canonical form both sides are compared in.</summary>
    public List<ModelRow> Canonical() => [.. _rows.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value)];
}

/// <summary>The object of the model tests.</summary>
public sealed record ModelRow(int Key, int Tag, long Counter);
