using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// Microsoft's Azure Storage emulator (the npm package <c>azurite</c>), run as a child process on a free
/// loopback port with a temporary data directory and stopped at the end. Clients reach it through a
/// <see cref="ServiceSwitch"/>, which the tests turn off and on to make the service go away and come back.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    // Azurite's well-known development account; it accepts no other.
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempDirectory _data = new();
    private Process? _process;

    /// <summary>The emulator's blob executable, or null when it is not installed (see <see cref="InstallHint"/>).</summary>
    public static string? Executable { get; } = Find();

    /// <summary>How to install it.</summary>
    public const string InstallHint = "Azurite is not installed: `npm install -g azurite@3.37.0` (or set AZURITE_BLOB to azurite-blob's path).";

    public AzuriteServer()
    {
        if (Executable is null) throw new InvalidOperationException(InstallHint);
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    /// <summary>What clients connect through: off, the service is gone for them (see <see cref="ServiceSwitch"/>).</summary>
    public ServiceSwitch Switch => _switch ??= new ServiceSwitch(Port);

    private ServiceSwitch? _switch;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint=http://127.0.0.1:{Switch.Port}/{Account};";

    /// <summary>A new, empty container, with a client that retries briefly (the tests fail the service on purpose).</summary>
    public BlobContainerClient NewContainer()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return new BlobServiceClient(ConnectionString, options).GetBlobContainerClient("t" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>Starts the emulator and waits until it accepts connections.</summary>
    private void Start()
    {
        var info = new ProcessStartInfo(Executable!)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", _data.Path, "--skipApiVersionCheck", "--loose", "--silent" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("azurite-blob did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited)
            {
                Thread.Sleep(100);
            }
        }
    }

    private void Stop()
    {
        _switch?.Dispose();
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        _data.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_BLOB") is { Length: > 0 } configured && File.Exists(configured)) return configured;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A test that needs the Azurite emulator: skipped, saying how to install it, only where it is not installed.</summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (AzuriteServer.Executable is null) Skip = AzuriteServer.InstallHint;
    }
}

/// <summary>One emulator for the remote tests, which run one at a time (some stop the service).</summary>
[CollectionDefinition(nameof(RemoteCollection), DisableParallelization = true)]
public sealed class RemoteCollection : ICollectionFixture<AzuriteFixture>;

/// <summary>Starts the emulator for the collection when it is installed.</summary>
public sealed class AzuriteFixture : IDisposable
{
    private readonly Lazy<AzuriteServer> _server = new(() => new AzuriteServer());

    public AzuriteServer Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
    }
}
