using System.Net;
using System.Net.Sockets;

namespace Registries.Core.Interop.Tests;

/// <summary>A loopback TCP listener that counts the connections made to it and holds them open without a word, so a
/// test can tell whether anything was sent to a "registry" at all.</summary>
internal sealed class ConnectionCounter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _loop;
    private int _connections;

    public ConnectionCounter()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Connections => Volatile.Read(ref _connections);

    public RegistryAddress Address => RegistryAddress.Parse($"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_clients)
                {
                    _clients.Add(client);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}
