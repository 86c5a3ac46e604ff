using System.Diagnostics;
using System.Globalization;
using Registries.Core.Engine;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>Issue 13: a registry that speaks plain HTTP on an address dockerd treats as secure (not 127.0.0.0/8) is
/// reported as a plain-HTTP registry with the next step, not as an untrusted certificate. The registry is the real
/// docker-registry, without TLS, in a network namespace of this test's own.</summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerPlainHttpRegistryTests : IAsyncLifetime
{
    private readonly DockerEngineFixture _docker;
    private readonly string _namespace;
    private readonly string _hostLink;
    private readonly string _nsLink;
    private readonly int _subnet;
    private readonly TestDirectory _state = new("registries-plain-http-");
    private BackgroundProcess? _registry;

    public DockerPlainHttpRegistryTests(DockerEngineFixture docker)
    {
        _docker = docker;
        var id = (Environment.ProcessId % 10000).ToString(CultureInfo.InvariantCulture);
        _subnet = (Environment.ProcessId % 200) + 20;
        _namespace = "rcplain" + id;
        _hostLink = "rcph" + id;
        _nsLink = "rcpn" + id;
        HostAddress = $"10.214.{_subnet}.1";
        Address = $"10.214.{_subnet}.2:5000";
    }

    private string HostAddress { get; }

    private string Address { get; }

    public async Task InitializeAsync()
    {
        await CleanupAsync();
        await RunAsync("ip", "netns", "add", _namespace);
        await RunAsync("ip", "link", "add", _hostLink, "type", "veth", "peer", "name", _nsLink);
        await RunAsync("ip", "link", "set", _nsLink, "netns", _namespace);
        await RunAsync("ip", "addr", "add", HostAddress + "/30", "dev", _hostLink);
        await RunAsync("ip", "link", "set", _hostLink, "up");
        await RunAsync("ip", "netns", "exec", _namespace, "ip", "addr", "add", $"10.214.{_subnet}.2/30", "dev", _nsLink);
        await RunAsync("ip", "netns", "exec", _namespace, "ip", "link", "set", _nsLink, "up");
        await RunAsync("ip", "netns", "exec", _namespace, "ip", "link", "set", "lo", "up");
        var config = _state.Combine("config.yml");
        await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {_state.Path}/data\nhttp:\n  addr: {Address}\n");

        // The registry is a daemon that runs for the whole test and is stopped by it.
        _registry = new BackgroundProcess("ip", ["netns", "exec", _namespace, "docker-registry", "serve", config]);
        await WaitUntilServingAsync();
    }

    [Fact]
    public async Task PullAsync_PlainHttpRegistryNotListedAsInsecure_IsReportedAsPlainHttpWithTheNextStep()
    {
        using var engine = new DockerImageEngine(_docker.EngineOptions);
        var image = ImageReference.Parse(Address + "/team/app:1.0");

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(image)).AsTask().WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Contains("server gave HTTP response to HTTPS client", error.Message, StringComparison.Ordinal);
        Assert.Equal(ImagePullError.RegistryUnreachable, error.Error);
        Assert.Contains($"The registry {Address} speaks plain HTTP, not HTTPS", error.Message, StringComparison.Ordinal);
        Assert.Contains($"registries insecure add {Address}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("does not trust the TLS certificate", error.Message, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_registry is not null)
            {
                await _registry.StopAsync();
                await _registry.DisposeAsync();
            }

            await CleanupAsync();
        }
        finally
        {
            _state.Dispose();
        }
    }

    private static async Task RunAsync(params string[] arguments)
    {
        var result = await Processes.RunAsync(arguments[0], arguments[1..], timeout: TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)} failed: {result.Error}");
    }

    // Removes what an earlier run with the same process id may have left; a missing namespace or link is no failure.
    private async Task CleanupAsync()
    {
        await Processes.RunAsync("ip", ["netns", "del", _namespace], timeout: TimeSpan.FromSeconds(30));
        await Processes.RunAsync("ip", ["link", "del", _hostLink], timeout: TimeSpan.FromSeconds(30));
    }

    private async Task WaitUntilServingAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var answer = await client.GetAsync(new Uri($"http://{Address}/v2/"));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }

        Assert.Fail($"docker-registry did not serve on {Address} within 30 s: {_registry?.Log}");
    }
}
