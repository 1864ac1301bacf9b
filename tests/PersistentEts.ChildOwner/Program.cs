using PersistentEts;
using PersistentEts.Persistence;

// The owner process of the seed's README example: create, insert, flush, insert more, then wait to be killed.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: PersistentEts.ChildOwner PATH");
    return 2;
}
var table = PersistentTable.New("child", args[0], (KeyValuePair<string, int> kv) => kv.Key,
    new PersistentTableOptions { PersistEvery = TimeSpan.FromHours(1) });
table.Insert(new KeyValuePair<string, int>("saved", 1));
table.Persistence!.Flush();
table.Insert(new KeyValuePair<string, int>("unsaved", 2));
Console.WriteLine("ready");
Console.Out.Flush();
Thread.Sleep(Timeout.Infinite);
return 0;
