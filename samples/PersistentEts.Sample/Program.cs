using PersistentEts;
using PersistentEts.Persistence;

// Creates, fills and queries an ordered_set of records, then shows a bag and a counter.
using var users = Ets.New("users", (User u) => u.Id, new TableOptions { Type = TableType.OrderedSet, NamedTable = true });
users.Insert([new User(3, "carol", 0), new User(1, "alice", 0), new User(2, "bob", 0)]);
Console.WriteLine($"size={users.Count}");

var logins = new CounterField<User>(u => u.Logins, (u, v) => u with { Logins = v });
users.UpdateCounter(1, logins, 5);
Console.WriteLine($"lookup(1)={users.Lookup(1)[0]}");

for (var ok = users.TryFirst(out var key); ok; ok = users.TryNext(key, out key))
    Console.WriteLine($"walk key={key}");

var names = users.Select(u => u.Logins == 0, u => u.Name);
Console.WriteLine($"select(logins == 0)=[{string.Join(", ", names)}]");

var reader = Ets.Whereis<int, User>("users");
Console.WriteLine($"whereis(users).size={reader.Count}");

using var tags = Ets.NewKeyValue<string, string>("tags", new TableOptions { Type = TableType.Bag });
tags.Insert([new("color", "red"), new("color", "blue"), new("color", "red")]);
Console.WriteLine($"bag lookup(color)=[{string.Join(", ", tags.Lookup("color").Select(kv => kv.Value))}]");

// The seed's example (as in the README): a persistent table, flushed, reopened.
var dir = Directory.CreateTempSubdirectory("pets-sample-").FullName;
var path = Path.Combine(dir, "table.tab");
var table = PersistentTable.New("foo", path, (KeyValuePair<string, int> kv) => kv.Key,
    new PersistentTableOptions { Table = new TableOptions { NamedTable = true } });
table.Insert(new KeyValuePair<string, int>("a", 1));
table.Persistence.Flush();
table.Insert(new KeyValuePair<string, int>("b", 2));
table.Dispose(); // owner ends: saved, then the table goes
using (var back = PersistentTable.New("foo", path, (KeyValuePair<string, int> kv) => kv.Key))
    Console.WriteLine($"reopened {path}: {string.Join(", ", back.ToList().OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}");
Directory.Delete(dir, recursive: true);

internal sealed record User(int Id, string Name, long Logins);
