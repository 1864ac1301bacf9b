using System.Diagnostics;

namespace PersistentEts.Tests.Misuse;

/// <summary>
/// A real small file system: a tmpfs of a few megabytes mounted for one test, so a disk really fills (or is
/// really read-only). Needs root (or CAP_SYS_ADMIN); <see cref="SmallFileSystemFactAttribute"/> skips the
/// test, saying why, where mounting is not allowed.
/// </summary>
public sealed class SmallFileSystem : IDisposable
{
    /// <summary>Null where mounting works here; otherwise why not.</summary>
    public static readonly Lazy<string?> Unavailable = new(Probe);

    public SmallFileSystem(int megabytes, bool readOnly = false)
    {
        Directory.CreateDirectory(Path);
        var error = Mount(Path, megabytes, readOnly);
        if (error is not null) throw new InvalidOperationException($"mounting a tmpfs at {Path} failed: {error}");
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pets-tmpfs", Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Run("umount", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux";
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pets-tmpfs", "probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var error = Mount(dir, 1, readOnly: false);
            if (error is not null) return $"cannot mount a tmpfs here (needs root): {error}";
            Run("umount", dir);
            return null;
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    private static string? Mount(string dir, int megabytes, bool readOnly) =>
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0777{(readOnly ? ",ro" : "")}", "tmpfs", dir);

    private static string? Run(string command, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{command} exited {p.ExitCode}: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{command}: {e.Message}";
        }
    }
}

/// <summary>A fact that needs <see cref="SmallFileSystem"/>; skipped, with the reason, where it cannot be mounted.</summary>
public sealed class SmallFileSystemFactAttribute : FactAttribute
{
    public SmallFileSystemFactAttribute()
    {
        if (SmallFileSystem.Unavailable.Value is { } why) Skip = why;
    }
}
