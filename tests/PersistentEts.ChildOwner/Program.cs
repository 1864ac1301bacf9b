using PersistentEts;
using PersistentEts.Persistence;

// The owner process of the seed's README example: create, insert, flush, insert more, then wait to be
// killed. With "sigterm" as a second argument it waits for SIGTERM instead, which must save the table.
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: PersistentEts.ChildOwner PATH [sigterm]");
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
