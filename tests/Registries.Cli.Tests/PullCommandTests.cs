using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

// Pulls test/other:2.0 (REGISTRIES_TEST_OTHER_IMAGE) through the real dockerd: the Docker adapter's own tests use
// test/hello on the same engine, so the two never remove each other's image.
[Trait("Category", "Integration")]
public sealed class PullCommandTests : IDisposable
{
    private readonly RegistriesCli _cli = new();
    private readonly TestServices _services = TestServices.Require();

    private string Image => _services.Registry + "/" + _services.OtherImage;

    [Fact]
    public async Task Pull_ActiveThenInactive_PullsThenUsesThePresentImageThenRefuses()
    {
        await RemoveImageAsync();
        try
        {
            await _cli.SucceedAsync("env", "create", "prod");
            await _cli.SucceedWithInputAsync(_services.Password + "\n", "registry", "add", "1a1", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");

            var pulled = await _cli.SucceedAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost);
            var present = await _cli.SucceedAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost, "--json");
            await _cli.SucceedAsync("registry", "deactivate", "1a1", "1r2");
            var presentWhileInactive = await _cli.SucceedAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost, "--json");
            await RemoveImageAsync();
            var refused = await _cli.RunAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost);

            // Redirected output: plain status lines, then the outcome.
            Assert.Contains("Pull complete", pulled, StringComparison.Ordinal);
            Assert.EndsWith($"Pulled {Image} as {_services.User} with registry 1r2.\n", pulled, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[", pulled, StringComparison.Ordinal);
            Assert.False(JsonDocument.Parse(present).RootElement.GetProperty("pulled").GetBoolean());
            Assert.False(JsonDocument.Parse(presentWhileInactive).RootElement.GetProperty("pulled").GetBoolean());
            Assert.Contains("inactive", refused.AssertOneLineError(3), StringComparison.Ordinal);
            Assert.False(await ImageExistsAsync());
        }
        finally
        {
            await RemoveImageAsync();
        }
    }

    [Fact]
    public async Task Pull_SymbolPasswordFromStdin_AuthenticatesWithEveryCharacter()
    {
        try
        {
            await _cli.SucceedAsync("env", "create", "prod");
            await _cli.SucceedWithInputAsync(_services.SymbolPassword + "\r\n", "registry", "add", "1a1", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.SymbolUser, "--password-stdin");

            var json = await _cli.SucceedAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost, "--always", "--json");

            var root = JsonDocument.Parse(json).RootElement;
            Assert.True(root.GetProperty("pulled").GetBoolean());
            Assert.Equal("authenticated", root.GetProperty("outcome").GetString());
            Assert.Equal(_services.SymbolUser, root.GetProperty("username").GetString());
            Assert.Equal("1r2", root.GetProperty("registryId").GetString());
            Assert.Equal(Image, root.GetProperty("pulledFrom").GetString());
            Assert.False(root.TryGetProperty("mirror", out _));
            Assert.Equal(0, root.GetProperty("attempts").GetArrayLength());
            Assert.DoesNotContain(_services.SymbolPassword, json, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveImageAsync();
        }
    }

    [Fact]
    public async Task Pull_Terminal_ShowsProgressBars()
    {
        await RemoveImageAsync();
        try
        {
            await _cli.SucceedAsync("env", "create", "prod");
            await _cli.SucceedWithInputAsync(_services.Password, "registry", "add", "1a1", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");

            var result = await _cli.RunInTerminalAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost);

            Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
            Assert.Contains("\u001b[", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("%", result.Stdout, StringComparison.Ordinal);
            Assert.Contains($"Pulled {Image} as {_services.User} with registry 1r2.", result.Stdout, StringComparison.Ordinal);
            Assert.True(await ImageExistsAsync());
        }
        finally
        {
            await RemoveImageAsync();
        }
    }

    [Fact]
    public async Task Pull_WrongPassword_OutsideFailureInOneLine()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync("canary-wrong-password", "registry", "add", "1a1", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");

        var result = await _cli.RunAsync("pull", "1a1", Image, "--docker-host", _services.DockerHost, "--always");

        var line = result.AssertOneLineError(4, stdoutEmpty: false);
        Assert.DoesNotContain("canary", result.Stdout + line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_RegistryEchoesTheAuthorizationHeader_StderrHasNoFormOfThePassword()
    {
        const string canary = "CANARY-echo:/+=\"Äé€~?>ÿ";
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = Task.Run(() => EchoAuthorizationAsync(listener, stop.Token));
        try
        {
            var address = "127.0.0.1:" + ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            await _cli.SucceedAsync("env", "create", "prod");
            await _cli.SucceedWithInputAsync(canary, "registry", "add", "1a1", "--address", address, "--email", "ci@example.com", "--username", "deployer", "--password-stdin");

            var result = await _cli.RunAsync("pull", "1a1", address + "/team/app:1.0", "--docker-host", _services.DockerHost);

            var line = result.AssertOneLineError(4, stdoutEmpty: false);
            Assert.Contains("bad Basic ***", line, StringComparison.Ordinal);
            var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("deployer:" + canary));
            var shown = result.Stdout + result.Stderr;
            Assert.DoesNotContain("CANARY", shown, StringComparison.Ordinal);
            foreach (var form in new[] { basic, basic.TrimEnd('='), basic.Replace('+', '-').Replace('/', '_'), basic.Replace('+', '-').Replace('/', '_').TrimEnd('=') })
            {
                Assert.DoesNotContain(form, shown, StringComparison.Ordinal);
            }
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await server.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Theory]
    [InlineData(2, "pull", "1a1", "Ubuntu")]
    [InlineData(2, "pull", "1a1")]
    [InlineData(2, "pull", "1a9", "{image}")]
    [InlineData(2, "pull", "1a1", "{image}", "--as", "mallory")]
    [InlineData(3, "pull", "1a1", "{image}", "--as", "reader")]
    [InlineData(3, "pull", "1a4", "{image}")]
    [InlineData(2, "pull", "1a1", "{image}", "--docker-host", "not a uri")]
    [InlineData(2, "pull", "1a1", "{image}", "--docker-host", "ftp://engine:21")]
    [InlineData(4, "pull", "1a1", "{image}", "--docker-host", "unix:///nonexistent/docker.sock")]
    public async Task BadInput_OneLineOnStderr_StoreUnchanged(int exitCode, params string[] args)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "1a1", "reader", "--role", "readonly");
        await _cli.SucceedWithInputAsync("pw", "registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u", "--password-stdin");
        await _cli.SucceedWithInputAsync("pw", "registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u", "--password-stdin");
        await _cli.SucceedAsync("env", "create", "k8s", "--orchestration", "kubernetes");
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(args.Select(a => a.Replace("{image}", Image, StringComparison.Ordinal)).ToArray());

        result.AssertOneLineError(exitCode);
        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();

    // A careless registry (plain HTTP on loopback, which dockerd treats as insecure): asks for Basic auth, then refuses
    // the credential with an error that echoes the Authorization header.
    private static async Task EchoAuthorizationAsync(System.Net.Sockets.TcpListener listener, CancellationToken cancellationToken)
    {
        // One task per connection: dockerd first tries TLS on an insecure registry, and that connection never ends a head.
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            _ = Task.Run(() => AnswerAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private static async Task AnswerAsync(System.Net.Sockets.TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[64 * 1024];
                var total = 0;
                while (total < buffer.Length && !System.Text.Encoding.ASCII.GetString(buffer, 0, total).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(total), timeout.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    total += read;
                }

                var authorization = System.Text.Encoding.UTF8.GetString(buffer, 0, total).Split("\r\n")
                    .FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim();
                var body = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { errors = new[] { new { code = "UNAUTHORIZED", message = authorization is null ? "authentication required" : "bad " + authorization } } }));
                var head = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nWWW-Authenticate: Basic realm=\"echo\"\r\n"
                    + $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), timeout.Token);
                await stream.WriteAsync(body, timeout.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // The client went away, or spoke TLS to a plain-HTTP port.
            }
        }
    }

    private async Task<bool> ImageExistsAsync() => await DockerAsync("image", "inspect", Image) == 0;

    private async Task RemoveImageAsync() => await DockerAsync("rmi", "--force", Image);

    private async Task<int> DockerAsync(params string[] args)
        => (await Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, .. args], timeout: TimeSpan.FromSeconds(60))).ExitCode;
}
