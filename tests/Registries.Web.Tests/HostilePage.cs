using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Registries.Web.Tests;

/// <summary>Pages of another origin: a tiny HTTP server on its own loopback port of 127.0.0.1, the same host (so the same
/// site) as the sample, serving fixed HTML documents by path. Every connection is bounded (16 KiB of request head,
/// 10 seconds) and answered once, then closed.</summary>
public sealed class HostilePage : IAsyncDisposable
{
    private const int MaxHeadBytes = 16 * 1024;
    private static readonly TimeSpan ConnectionBound = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyDictionary<string, string> _documents;
    private readonly ConcurrentQueue<string> _requested = new();
    private readonly Task _accepting;

    /// <summary>Starts serving.</summary>
    /// <param name="documents">The HTML of each path, for example <c>/</c>; any other path is 404.</param>
    public HostilePage(IReadOnlyDictionary<string, string> documents)
    {
        _documents = documents;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the server's origin, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Gets the paths requested so far, in order.</summary>
    public IReadOnlyCollection<string> Requested => _requested;

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when it no longer accepts.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            bound.CancelAfter(ConnectionBound);
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, bound.Token);
                var requestLine = head[..Math.Max(0, head.IndexOf("\r\n", StringComparison.Ordinal))].Split(' ');
                var path = requestLine.Length == 3 ? requestLine[1] : "?";
                _requested.Enqueue(path);
                var found = _documents.TryGetValue(path, out var html);
                var body = Encoding.UTF8.GetBytes(found ? html! : "not found");
                var response = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: {(found ? "text/html" : "text/plain")}; charset=utf-8\r\n"
                    + $"Content-Length: {body.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(response, bound.Token);
                await stream.WriteAsync(body, bound.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or InvalidDataException)
            {
                // A connection the browser dropped or that took too long: nothing to answer.
            }
        }
    }

    // The request line and headers, up to the empty line; the pages are only ever fetched with GET, without a body.
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }
        }

        throw new InvalidDataException("No complete request head.");
    }
}
