using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Registries.Core.Interop.Tests;

/// <summary>A request a <see cref="LoopbackHttpServer"/> received.</summary>
internal sealed record ReceivedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body = "")
{
    /// <summary>Returns a field of a form-encoded body (a POST to a token realm).</summary>
    public string? FormValue(string name)
        => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')) == name)
            .Select(p => Uri.UnescapeDataString((p.Length > 1 ? p[1] : string.Empty).Replace('+', ' ')))
            .FirstOrDefault();

    public string Path => Target.Split('?')[0];

    public string? Authorization => Headers.TryGetValue("Authorization", out var value) ? value : null;

    public string? QueryValue(string name)
        => Target.Contains('?', StringComparison.Ordinal)
            ? Target[(Target.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&')
                .Select(p => p.Split('=', 2))
                .Where(p => p[0] == name)
                .Select(p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty))
                .FirstOrDefault()
            : null;
}

/// <summary>A response of a <see cref="LoopbackHttpServer"/>.</summary>
internal sealed record ServerResponse(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ServerResponse Json(int status, string body, params (string Name, string Value)[] headers)
        => new(status, body, headers.Append((Name: "Content-Type", Value: "application/json")).ToDictionary(h => h.Name, h => h.Value));

    public static ServerResponse Redirect(string location) => new(307, string.Empty, new Dictionary<string, string> { ["Location"] = location });
}

/// <summary>A tiny HTTP/1.1 server on a loopback port, with or without TLS, that records every request: enough for a
/// fake registry or token server (GET, and POST with a Content-Length body; one request per connection).</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly Func<ReceivedRequest, ServerResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LoopbackHttpServer(TcpListener listener, X509Certificate2? certificate, Func<ReceivedRequest, ServerResponse> handler)
    {
        _listener = listener;
        _certificate = certificate;
        _handler = handler;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Scheme => _certificate is null ? "http" : "https";

    /// <summary>Starts a server; port 0 picks a free one. A fixed port that is busy (another test run serving the same
    /// token realm) is retried for a while.</summary>
    public static async Task<LoopbackHttpServer> StartAsync(Func<ReceivedRequest, ServerResponse> handler, X509Certificate2? certificate = null, int port = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, certificate, handler);
            }
            catch (SocketException) when (port != 0 && DateTime.UtcNow < deadline)
            {
                listener.Dispose();
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Loads the test registries' server certificate (valid for 127.0.0.1 and localhost).</summary>
    public static X509Certificate2 LoadServerCertificate(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);

        // SslStream on Linux is happiest with a certificate whose key is not ephemeral.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                    stream = ssl;
                }

                await using (stream)
                {
                    var head = await ReadHeadAsync(stream);
                    if (head is null)
                    {
                        // Like a real HTTP server that got a TLS handshake (or garbage): 400, then close.
                        await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                        return;
                    }

                    var lines = head.Split("\r\n");
                    var requestLine = lines[0].Split(' ');
                    var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var line in lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal)))
                    {
                        var colon = line.IndexOf(':', StringComparison.Ordinal);
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    }

                    var requestBody = string.Empty;
                    if (headers.TryGetValue("Content-Length", out var lengthText) && int.TryParse(lengthText, out var length) && length is > 0 and <= 1024 * 1024)
                    {
                        var bytes = new byte[length];
                        await stream.ReadExactlyAsync(bytes, _stop.Token);
                        requestBody = Encoding.UTF8.GetString(bytes);
                    }

                    var request = new ReceivedRequest(requestLine[0], requestLine.Length > 1 ? requestLine[1] : "/", headers, requestBody);
                    Requests.Enqueue(request);
                    var response = _handler(request);
                    var body = Encoding.UTF8.GetBytes(response.Body);
                    var text = new StringBuilder()
                        .Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(Reason(response.Status)).Append("\r\n")
                        .Append("Content-Length: ").Append(body.Length).Append("\r\n")
                        .Append("Connection: close\r\n");
                    foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
                    {
                        text.Append(name).Append(": ").Append(value).Append("\r\n");
                    }

                    text.Append("\r\n");
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
                    await stream.WriteAsync(body);
                    await stream.FlushAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or SocketException or EndOfStreamException)
            {
                // A client that gave up (for example one refusing our certificate): nothing to serve.
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(Stream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            if (buffer.Count == 0 && one[0] == 0x16)
            {
                return null;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n')
            {
                return Encoding.UTF8.GetString(buffer.ToArray(), 0, buffer.Count - 4);
            }
        }

        return null;
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Status",
    };
}
