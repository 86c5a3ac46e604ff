using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Registries.Cli.Tests;

// Strings the CLI did not write (names, usernames, a server's certificate subject, input quoted in an error) reach
// the terminal escaped: no control character, escape sequence or bidi override is ever printed raw, and JSON stays
// valid JSON with the exact values.
public sealed class TerminalOutputTests : IDisposable
{
    private const string EnvironmentName = "a\nb\u202Ec";
    private const string MemberName = "x\r\u001b[2Kevil";

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task EnvironmentNameWithNewlineAndBidiOverride_NoFakeRowAndNothingRaw()
    {
        // The library refuses such a name in env create (see below); a store written by another application or an
        // older release may still hold one, and the CLI prints what the store holds.
        await _cli.SucceedAsync("env", "create", "prod");
        await SeedAsync("\"prod\"", EnvironmentName);

        var list = await _cli.SucceedAsync("env", "list");
        var show = await _cli.SucceedAsync("env", "show", "1a1");
        var json = await _cli.SucceedAsync("env", "list", "--json");

        AssertSafe(list, show, json);
        Assert.StartsWith(@"Environment 1a1: a\nb\u202Ec (cattle)" + "\n", show, StringComparison.Ordinal);
        Assert.Equal(["ID   NAME         ORCHESTRATION  ROLE", @"1a1  a\nb\u202Ec  cattle         owner"], list.TrimEnd('\n').Split('\n'));
        Assert.Equal(EnvironmentName, JsonDocument.Parse(json).RootElement[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task MemberNameWithCarriageReturnAndEraseLine_NothingRawInTheTable()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "prod", "bob");
        await SeedAsync("\"bob\"", MemberName);

        var show = await _cli.SucceedAsync("env", "show", "prod");
        var json = await _cli.SucceedAsync("env", "show", "prod", "--json");

        AssertSafe(show, json);
        Assert.Equal(["Environment 1a1: prod (cattle)", "USER            ROLE", "alice           owner", @"x\r\x1B[2Kevil  member"], show.TrimEnd('\n').Split('\n'));
        Assert.Contains(MemberName, JsonDocument.Parse(json).RootElement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()));
    }

    [Fact]
    public async Task EnvCreate_NameWithNewlineAndBidiOverride_RefusedWithTheCodePointInOneSafeLine()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = await File.ReadAllBytesAsync(_cli.StorePath);

        var result = await _cli.RunAsync("env", "create", EnvironmentName);

        AssertRefusedWithoutChange(result, "U+000A at position 2", before);
    }

    [Fact]
    public async Task EnvMemberAdd_NameWithCarriageReturnAndEscape_RefusedWithTheCodePointInOneSafeLine()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = await File.ReadAllBytesAsync(_cli.StorePath);

        var result = await _cli.RunAsync("env", "member", "add", "prod", MemberName);

        AssertRefusedWithoutChange(result, "U+000D at position 2", before);
    }

    [Theory]
    [InlineData("env", "show", "no\u001b[2K\rsuch\u202Eenv")]
    [InlineData("registry", "list", "no\nsuch\u2066env")]
    [InlineData("resolve", "no\u009b31msuch", "ubuntu")]
    [InlineData("env", "shwo\u001b[31m")]
    [InlineData("registry", "show", "1a1", "x\u001b[2K", "--bogus\r\u202E")]
    public async Task ErrorQuotingInput_OneEscapedLine(params string[] args)
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var result = await _cli.RunAsync(args);

        result.AssertOneLineError(2);
        AssertSafe(result.Stderr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Trust_CertificateSubjectWithEscapeSequences_FingerprintLineIntact()
    {
        const string commonName = "registry\r\u001b[2K\u001b[1A  CN=trusted.example.com, SHA-256 00:00";
        const string organization = "org\u001b]0;title\u0007\u202Eabc\u2028x";
        using var server = await HostileTlsServer.StartAsync(commonName, organization);
        var certsDir = Path.Combine(_cli.Folder, "certs.d");
        var address = $"127.0.0.1:{server.Port}";

        var text = await _cli.SucceedAsync("trust", address, "--certs-dir", certsDir, "--dry-run");
        var json = await _cli.SucceedAsync("trust", address, "--certs-dir", certsDir, "--dry-run", "--json");

        AssertSafe(text, json);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal($"{address} presented 1 certificate(s):", lines[0]);
        Assert.StartsWith("  O=", lines[1], StringComparison.Ordinal);
        Assert.Contains(@"registry\r\x1B[2K\x1B[1A  CN=trusted.example.com", lines[1], StringComparison.Ordinal);
        Assert.EndsWith($"), SHA-256 {server.Fingerprint}", lines[1], StringComparison.Ordinal);
        Assert.Contains(@"\x1B]0;title\x07\u202Eabc\u2028x", lines[1], StringComparison.Ordinal);
        var certificate = JsonDocument.Parse(json).RootElement.GetProperty("certificates")[0];
        Assert.Contains(commonName, certificate.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Equal(server.Fingerprint, certificate.GetProperty("fingerprint").GetString());
    }

    public void Dispose() => _cli.Dispose();

    private void AssertRefusedWithoutChange(CliResult result, string where, byte[] storeBefore)
    {
        result.AssertOneLineError(2);
        AssertSafe(result.Stderr.TrimEnd('\n'));
        Assert.Contains(where, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(storeBefore, File.ReadAllBytes(_cli.StorePath));
    }

    // Puts a name the library would refuse into the store file, as another writer of the store could.
    private async Task SeedAsync(string quotedOld, string value)
    {
        var store = await File.ReadAllTextAsync(_cli.StorePath);
        Assert.Contains(quotedOld, store, StringComparison.Ordinal);
        await File.WriteAllTextAsync(_cli.StorePath, store.Replace(quotedOld, JsonSerializer.Serialize(value), StringComparison.Ordinal));
    }

    private static void AssertSafe(params string[] outputs)
    {
        foreach (var output in outputs)
        {
            foreach (var c in output)
            {
                var allowed = c == '\n' || (c >= ' ' && c != '\u007f' && c is not (>= '\u0080' and <= '\u009f')
                    && c is not ('\u061c' or '\u200e' or '\u200f' or '\u2028' or '\u2029') && c is not (>= '\u202a' and <= '\u202e') && c is not (>= '\u2066' and <= '\u2069'));
                Assert.True(allowed, $"U+{(int)c:X4} reached the terminal raw in: {output}");
            }
        }
    }

    // A TLS server on loopback whose self-signed certificate has a subject full of terminal controls.
    private sealed class HostileTlsServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        private HostileTlsServer(X509Certificate2 certificate)
        {
            _certificate = certificate;
            Fingerprint = BitConverter.ToString(SHA256.HashData(certificate.RawData)).Replace('-', ':');
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = AcceptAsync();
        }

        public int Port { get; }

        public string Fingerprint { get; }

        public static Task<HostileTlsServer> StartAsync(string commonName, string organization)
        {
            var name = new X500DistinguishedNameBuilder();
            name.AddOrganizationName(organization);
            name.AddCommonName(commonName);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
            return Task.FromResult(new HostileTlsServer(certificate));
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try
            {
                _accepting.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // The accept loop ends with the listener; how it ended does not matter here.
            }

            _certificate.Dispose();
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
                catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    await using var tls = new SslStream(client.GetStream());
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token);
                    _ = await tls.ReadAsync(new byte[1], timeout.Token);
                }
                catch (Exception exception) when (exception is IOException or AuthenticationException or OperationCanceledException or SocketException)
                {
                    // The client hangs up once it has the chain.
                }
            }
        }
    }
}
