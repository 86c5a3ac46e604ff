using System.Diagnostics;
using System.Globalization;
using Registries.Core.Engine;

namespace Registries.Core.Docker.Tests;

/// <summary>Issue 13: a registry that speaks plain HTTP on an address dockerd treats as secure (not 127.0.0.0/8) is
/// reported as a plain-HTTP registry with the next step, not as an untrusted certificate. The registry is the real
/// docker-registry, without TLS, in a network namespace of this test's own.</summary>
[Collection(DockerEngineCollection.Name)]
public sealed class DockerPlainHttpRegistryTests : IDisposable
{
    private readonly DockerEngineFixture _docker;
    private readonly string _namespace;
    private readonly string _hostLink;
    private readonly string _state;
    private readonly Process? _registry;
    private readonly List<string> _log = [];

    public DockerPlainHttpRegistryTests(DockerEngineFixture docker)
    {
        _docker = docker;
        var id = (Environment.ProcessId % 10000).ToString(CultureInfo.InvariantCulture);
        var subnet = (Environment.ProcessId % 200) + 20;
        _namespace = "rcplain" + id;
        _hostLink = "rcph" + id;
        var nsLink = "rcpn" + id;
        HostAddress = $"10.214.{subnet}.1";
        Address = $"10.214.{subnet}.2:5000";
        _state = Directory.CreateTempSubdirectory("registries-plain-http-").FullName;
        Cleanup();
        Run("ip", "netns", "add", _namespace);
        Run("ip", "link", "add", _hostLink, "type", "veth", "peer", "name", nsLink);
        Run("ip", "link", "set", nsLink, "netns", _namespace);
        Run("ip", "addr", "add", HostAddress + "/30", "dev", _hostLink);
        Run("ip", "link", "set", _hostLink, "up");
        Run("ip", "netns", "exec", _namespace, "ip", "addr", "add", $"10.214.{subnet}.2/30", "dev", nsLink);
        Run("ip", "netns", "exec", _namespace, "ip", "link", "set", nsLink, "up");
        Run("ip", "netns", "exec", _namespace, "ip", "link", "set", "lo", "up");
        var config = Path.Combine(_state, "config.yml");
        File.WriteAllText(config, $"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {_state}/data\nhttp:\n  addr: {Address}\n");
        _registry = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", _namespace, "docker-registry", "serve", config])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _registry.OutputDataReceived += (_, e) => Log(e.Data);
        _registry.ErrorDataReceived += (_, e) => Log(e.Data);
        _registry.BeginOutputReadLine();
        _registry.BeginErrorReadLine();
        WaitUntilServing();
    }

    private string HostAddress { get; }

    private string Address { get; }

    [Fact]
    public async Task PullAsync_PlainHttpRegistryNotListedAsInsecure_IsReportedAsPlainHttpWithTheNextStep()
    {
        using var engine = new DockerImageEngine(_docker.Options);
        var image = ImageReference.Parse(Address + "/team/app:1.0");

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(image)).AsTask().WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Contains("server gave HTTP response to HTTPS client", error.Message, StringComparison.Ordinal);
        Assert.Equal(ImagePullError.RegistryUnreachable, error.Error);
        Assert.Contains($"The registry {Address} speaks plain HTTP, not HTTPS", error.Message, StringComparison.Ordinal);
        Assert.Contains($"registries insecure add {Address}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("does not trust the TLS certificate", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (_registry is { HasExited: false })
        {
            _registry.Kill(entireProcessTree: true);
            _registry.WaitForExit(TimeSpan.FromSeconds(30));
        }

        _registry?.Dispose();
        Cleanup();
        Directory.Delete(_state, recursive: true);
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    private void Cleanup()
    {
        Run(ignoreFailure: true, "ip", "netns", "del", _namespace);
        Run(ignoreFailure: true, "ip", "link", "del", _hostLink);
    }

    private void WaitUntilServing()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                using var answer = client.GetAsync($"http://{Address}/v2/").GetAwaiter().GetResult();
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Thread.Sleep(200);
            }
        }

        lock (_log)
        {
            Assert.Fail($"docker-registry did not serve on {Address} within 30 s: {string.Join(" | ", _log)}");
        }
    }

    private static void Run(params string[] arguments) => Run(ignoreFailure: false, arguments);

    private static void Run(bool ignoreFailure, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(arguments[0], arguments[1..])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            Assert.Fail($"{string.Join(' ', arguments)} did not finish in 30 s.");
        }

        Assert.True(ignoreFailure || process.ExitCode == 0, $"{string.Join(' ', arguments)} failed: {error.Result}");
    }
}
