using System.CommandLine;
using PersistentEts.Cli.Commands;

var root = new RootCommand("pets: inspect, verify, dump and repair PersistentEts files. Reading commands (info, verify, dump, " +
    "log check) take no lock, so they work on the files of a table that is open in a running program; log repair " +
    "changes files, so run it only when no program has the table open.")
{
    InfoCommand.Create(),
    VerifyCommand.Create(),
    DumpCommand.Create(),
    LogCommand.Create(),
    RemoteCommand.Create(),
    DemoCommand.Create(),
    DemoCommand.CreateOwner(),
};
return root.Parse(args).Invoke();
