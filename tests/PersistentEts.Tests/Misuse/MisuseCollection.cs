namespace PersistentEts.Tests.Misuse;

/// <summary>
/// What a program does wrong, or meets, on an ordinary day: two owners of one file, writes racing the
/// owner's end, a full disk, paths and objects that cannot be kept. Each test asserts what the user sees
/// (the exception and its message) and what is on disk afterwards. Not parallel: some mount file systems
/// and start processes.
/// </summary>
[CollectionDefinition(nameof(MisuseCollection), DisableParallelization = true)]
public sealed class MisuseCollection;

public sealed record Row(int Id, string Name);
