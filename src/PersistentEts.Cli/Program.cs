using System.CommandLine;
using PersistentEts.Cli.Commands;

var root = new RootCommand("pets: inspect, verify, dump and repair PersistentEts files")
{
    InfoCommand.Create(),
    VerifyCommand.Create(),
    DumpCommand.Create(),
    LogCommand.Create(),
    DemoCommand.Create(),
    DemoCommand.CreateOwner(),
};
return root.Parse(args).Invoke();
