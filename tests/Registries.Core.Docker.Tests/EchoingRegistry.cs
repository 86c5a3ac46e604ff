using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Registries.Core.Docker.Tests;

/// <summary>A careless registry on a loopback port (plain HTTP: dockerd treats 127.0.0.0/8 as insecure): it asks for
/// Basic authentication and, when it gets a credential, refuses it with an error that echoes the Authorization header,
/// the way a misconfigured proxy or registry does.</summary>
internal sealed class EchoingRegistry : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public EchoingRegistry()
    {
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Gets the Authorization headers received.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                var head = await ReadHeadAsync(stream, timeout.Token);
                var authorization = head.Split("\r\n").Skip(1)
                    .Select(l => l.Split(':', 2))
                    .Where(p => p.Length == 2 && p[0].Trim().Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                    .Select(p => p[1].Trim())
                    .FirstOrDefault();
                string body;
                if (authorization is null)
                {
                    body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
                }
                else
                {
                    Authorizations.Enqueue(authorization);
                    body = JsonSerializer.Serialize(new { errors = new[] { new { code = "UNAUTHORIZED", message = "bad " + authorization, detail = authorization } } });
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                var response = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nDocker-Distribution-API-Version: registry/2.0\r\n"
                    + "WWW-Authenticate: Basic realm=\"echo\"\r\n"
                    + $"Content-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), timeout.Token);
                await stream.WriteAsync(bytes, timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client went away.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (Encoding.ASCII.GetString(buffer, 0, total).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                break;
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
