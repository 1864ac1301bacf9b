using System.Net;
using System.Net.Sockets;

namespace PersistentEts.Tests.Remote;

/// <summary>
/// A loopback TCP relay in front of a service that the test can switch off and on: off, it drops every
/// open connection and refuses new ones, as a service that went away does; on, it relays again. The
/// service itself (and what it stores) is untouched.
/// </summary>
public sealed class ServiceSwitch : IDisposable
{
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener; // under _gate, with _stop: on and off never interleave
    private readonly object _gate = new();
    private CancellationTokenSource _stop = new();

    public ServiceSwitch(int targetPort)
    {
        _target = targetPort;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        On();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Relays connections to the service.</summary>
    public void On()
    {
        lock (_gate) OnLocked();
    }

    private void OnLocked()
    {
        if (_listener is not null) return;
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>Drops every connection and refuses new ones.</summary>
    public void Off()
    {
        lock (_gate) OffLocked();
    }

    private void OffLocked()
    {
        if (_listener is null) return;
        _stop.Cancel();
        _listener.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var service = new TcpClient();
            try
            {
                await service.ConnectAsync(IPAddress.Loopback, _target, stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Dispose();
                service.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(client);
                _open.Add(service);
            }
            _ = Pump(client, service, upstream: true, stop);
            _ = Pump(service, client, upstream: false, stop);
        }
    }

    private async Task Pump(TcpClient from, TcpClient to, bool upstream, CancellationToken stop)
    {
        var buffer = new byte[64 << 10];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (await source.ReadAsync(buffer, stop) is var n and > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, n), stop);
                // Only the pump that disarms the switch turns it off: mid-request, the service goes away with the request half sent.
                if (upstream && Interlocked.Add(ref _untilOff, -n) <= 0 && Interlocked.Exchange(ref _untilOff, long.MaxValue) <= 0)
                    _ = Task.Run(Off);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
            // The switch was turned off, or one side closed.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    // Bytes still to relay towards the service before the switch turns itself off; long.MaxValue when not armed.
    private long _untilOff = long.MaxValue;

    /// <summary>Turns the switch off once <paramref name="bytes"/> more bytes have gone towards the service: in the middle of an upload.</summary>
    public void OffAfter(long bytes) => Interlocked.Exchange(ref _untilOff, bytes);

    public void Dispose() => Off();
}
