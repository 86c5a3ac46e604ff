using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Registries.Core.Docker.Tests;

/// <summary>A TCP listener that answers Engine API requests with canned responses and records what it received.</summary>
/// <remarks>Used only to see the bytes Docker.DotNet puts on the wire (the <c>X-Registry-Auth</c> header, TLS) and to
/// replay a failure dockerd reports inside a 200 stream; the behaviour of the Engine itself is tested against the real dockerd.</remarks>
internal sealed class FakeEngineServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<(int Status, string Body)> _responses;
    private readonly X509Certificate2? _serverCertificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeEngineServer(IEnumerable<(int Status, string Body)> responses, X509Certificate2? serverCertificate = null)
    {
        _responses = new Queue<(int, string)>(responses);
        _serverCertificate = serverCertificate;
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public List<string> Requests { get; } = [];

    public X509Certificate? ClientCertificate { get; private set; }

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

    public string Header(int request, string name)
    {
        foreach (var raw in Requests[request].Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        throw new InvalidOperationException($"Request {request} has no {name} header: {Requests[request]}");
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Stream stream = client.GetStream();
            try
            {
                if (_serverCertificate is not null)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                    await tls.AuthenticateAsServerAsync(_serverCertificate, clientCertificateRequired: true, checkCertificateRevocation: false);
                    ClientCertificate = tls.RemoteCertificate;
                    stream = tls;
                }

                var head = new StringBuilder();
                var buffer = new byte[1];
                // Docker.DotNet ends the request line with CRLF but its header lines with a bare LF.
                while (!head.ToString().Replace("\r", string.Empty, StringComparison.Ordinal).EndsWith("\n\n", StringComparison.Ordinal)
                    && await stream.ReadAsync(buffer, _stop.Token) == 1)
                {
                    head.Append((char)buffer[0]);
                }

                Requests.Add(head.ToString());
                var (status, body) = _responses.Count > 0 ? _responses.Dequeue() : (500, "{\"message\":\"no more canned responses\"}");
                var bytes = Encoding.UTF8.GetBytes(body);
                var response = $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                await stream.WriteAsync(bytes, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                // The client gave up (for example it refused our certificate): the test looks at what it got.
            }
            finally
            {
                await stream.DisposeAsync();
            }
        }
    }
}
