using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>One private dockerd root for <see cref="InitScriptDockerdTests"/>: its starts run one after the other and share it.</summary>
public sealed class PrivateDockerdRoot : IAsyncLifetime
{
    public PrivateDockerdRoot()
    {
        // Unix socket paths are limited to about 100 characters: keep the root short.
        Path = System.IO.Path.Combine("/tmp", "rcis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var point in MountsUnder(Path))
        {
            await Processes.RunAsync("umount", ["-l", point], timeout: TimeSpan.FromSeconds(10));
        }

        Directory.Delete(Path, recursive: true);
    }

    internal static IEnumerable<string> MountsUnder(string root)
        => File.ReadAllLines("/proc/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(point => point.StartsWith(root + "/", StringComparison.Ordinal))
            .OrderByDescending(point => point.Length)
            .ToList();
}

/// <summary>
/// Every combination of daemon.json and defaults file: the configurator adds a registry, then a real dockerd starts the way
/// Debian's init script starts it (the words of the sourced DOCKER_OPTS, plus --config-file) and must list it as insecure.
/// </summary>
[Trait("Category", "Integration")]
public sealed class InitScriptDockerdTests(PrivateDockerdRoot root) : IClassFixture<PrivateDockerdRoot>
{
    private const string DaemonJsonWithoutKey = "{\n  \"log-level\": \"warn\",\n  \"max-concurrent-uploads\": 3\n}\n";
    private const string DaemonJsonWithKey = "{\n  \"log-level\": \"warn\",\n  \"insecure-registries\": [\"10.98.0.0/16\"]\n}\n";
    private const string DefaultsWithoutDockerOpts = "# Docker Upstart and SysV initscript configuration\n#DOCKER_OPTS=\"--dns 8.8.8.8\"\nexport http_proxy=\"http://127.0.0.1:3128/\"\n";
    private const string DefaultsWithoutFlag = "DOCKER_OPTS=\"--max-concurrent-downloads=2 --label=team=a\"\n";
    private const string DefaultsWithFlag = "DOCKER_OPTS='--label=team=a --insecure-registry 10.97.0.0/16'\n";

    public static TheoryData<string, string, string> Combinations()
    {
        var data = new TheoryData<string, string, string>();
        var index = 0;
        foreach (var daemonJson in new[] { "absent", "without-key", "with-key" })
        {
            foreach (var defaults in new[] { "absent", "without-docker-opts", "docker-opts-without-flag", "docker-opts-with-flag" })
            {
                data.Add(daemonJson, defaults, index++ % 2 == 0 ? "registry.example.com:5000" : "[fd00::5]:5000");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Add_EveryHostLayout_DockerdStartedByTheInitScriptListsTheRegistryAsInsecure(string daemonJsonState, string defaultsState, string registry)
    {
        var services = TestServices.Require();
        var daemonJson = System.IO.Path.Combine(root.Path, "daemon.json");
        var defaults = System.IO.Path.Combine(root.Path, "default-docker");
        var daemonJsonText = daemonJsonState switch { "without-key" => DaemonJsonWithoutKey, "with-key" => DaemonJsonWithKey, _ => null };
        var defaultsText = defaultsState switch
        {
            "without-docker-opts" => DefaultsWithoutDockerOpts,
            "docker-opts-without-flag" => DefaultsWithoutFlag,
            "docker-opts-with-flag" => DefaultsWithFlag,
            _ => null,
        };
        Reset(daemonJson, daemonJsonText);
        Reset(defaults, defaultsText);
        var configurator = new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { DaemonJsonPath = daemonJson, DockerDefaultsPath = defaults }));
        var address = RegistryAddress.Parse(registry);

        if (daemonJsonState == "with-key" && defaultsState == "docker-opts-with-flag")
        {
            // The host is already one dockerd refuses: reported, not made worse.
            var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => configurator.AddAsync(address));
            Assert.Equal(DockerHostConfigurationError.ConflictingConfiguration, e.Error);
            Assert.Equal(daemonJsonText, await File.ReadAllTextAsync(daemonJson));
            Assert.Equal(defaultsText, await File.ReadAllTextAsync(defaults));
            await using var refused = await StartAsInitScriptAsync(services, daemonJson, defaults);
            Assert.Contains("both as a flag and in the configuration file", await refused.WaitForFailureAsync(), StringComparison.Ordinal);
            return;
        }

        var expected = daemonJsonState == "with-key" ? daemonJson
            : defaultsState is "docker-opts-with-flag" or "docker-opts-without-flag" ? defaults
            : daemonJson;
        var change = Assert.Single((await configurator.AddAsync(address)).Changes);
        Assert.Equal(expected, change.Path);
        Assert.NotEqual(FileChangeKind.Unchanged, change.Kind);

        await using var dockerd = await StartAsInitScriptAsync(services, daemonJson, defaults);
        using var registryConfig = await dockerd.RegistryConfigAsync();
        var indexConfigs = registryConfig.RootElement.GetProperty("IndexConfigs");
        Assert.True(indexConfigs.TryGetProperty(address.ToString(), out var index), $"dockerd does not list {address}: {registryConfig.RootElement}");
        Assert.False(index.GetProperty("Secure").GetBoolean());
        var cidrs = registryConfig.RootElement.GetProperty("InsecureRegistryCIDRs").EnumerateArray().Select(e => e.GetString()).ToList();
        if (daemonJsonState == "with-key")
        {
            Assert.Contains("10.98.0.0/16", cidrs);
        }

        if (defaultsState == "docker-opts-with-flag")
        {
            Assert.Contains("10.97.0.0/16", cidrs);
        }
    }

    [Fact]
    public async Task Add_DaemonJsonWithLoneSurrogateEscape_DockerdStartsWithTheEditedFile()
    {
        var services = TestServices.Require();
        var daemonJson = System.IO.Path.Combine(root.Path, "daemon.json");
        var defaults = System.IO.Path.Combine(root.Path, "default-docker");
        const string Before = "{\n  \"labels\": [\"note=\\ud800\"],\n  \"insecure-registries\": []\n}\n";
        Reset(daemonJson, Before);
        Reset(defaults, null);

        await new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { DaemonJsonPath = daemonJson, DockerDefaultsPath = defaults })).AddAsync(RegistryAddress.Parse("registry.example.com:5000"));

        Assert.Equal(Before.Replace("[]", "[\n    \"registry.example.com:5000\"\n  ]", StringComparison.Ordinal), await File.ReadAllTextAsync(daemonJson));
        await using var dockerd = await StartAsInitScriptAsync(services, daemonJson, defaults);
        using var registryConfig = await dockerd.RegistryConfigAsync();
        Assert.False(registryConfig.RootElement.GetProperty("IndexConfigs").GetProperty("registry.example.com:5000").GetProperty("Secure").GetBoolean());
    }

    [Fact]
    public async Task Dockerd_IPv6RegistryWithoutPort_RefusesToStartWhichIsWhyAddRefusesIt()
    {
        var services = TestServices.Require();
        var daemonJson = System.IO.Path.Combine(root.Path, "daemon.json");
        var defaults = System.IO.Path.Combine(root.Path, "default-docker");
        Reset(daemonJson, "{\"insecure-registries\": [\"[::1]\"]}");
        Reset(defaults, null);

        await using (var dockerd = await StartAsInitScriptAsync(services, daemonJson, defaults))
        {
            Assert.Contains("invalid host", await dockerd.WaitForFailureAsync(), StringComparison.Ordinal);
        }

        var configurator = new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { DaemonJsonPath = daemonJson, DockerDefaultsPath = defaults }));
        Assert.Equal(DockerHostConfigurationError.UnsupportedRegistryAddress, (await Assert.ThrowsAsync<DockerHostConfigurationException>(() => configurator.AddAsync(RegistryAddress.Parse("[::1]")))).Error);

        // Removing the entry mends the host.
        await configurator.RemoveAsync(RegistryAddress.Parse("[::1]"));
        await using var mended = await StartAsInitScriptAsync(services, daemonJson, defaults);
        using var registryConfig = await mended.RegistryConfigAsync();
    }

    private static void Reset(string path, string? content)
    {
        File.Delete(path);
        if (content is not null)
        {
            File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
    }

    // Debian's /etc/init.d/docker: ". /etc/default/docker", then "dockerd $DOCKER_OPTS" (unquoted: split at blanks).
    private async Task<RunningDockerd> StartAsInitScriptAsync(TestServices services, string daemonJson, string defaults)
    {
        var words = new List<string>();
        if (File.Exists(defaults))
        {
            var sourced = await Processes.RunAsync("bash", ["-c", "cd / && . \"$0\" && printf '%s\\n' $DOCKER_OPTS", defaults], timeout: TimeSpan.FromSeconds(20));
            Assert.True(sourced.ExitCode == 0, sourced.ToString());
            words.AddRange(sourced.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        // No daemon.json means no configuration; an empty object says the same without reading this machine's /etc/docker.
        var configFile = daemonJson;
        if (!File.Exists(daemonJson))
        {
            configFile = System.IO.Path.Combine(root.Path, "empty.json");
            await File.WriteAllTextAsync(configFile, "{}");
        }

        var socket = System.IO.Path.Combine(root.Path, "d.sock");
        var process = new BackgroundProcess(services.Dockerd,
        [
            .. words,
            "--config-file", configFile,
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--data-root", System.IO.Path.Combine(root.Path, "data"), "--exec-root", System.IO.Path.Combine(root.Path, "exec"),
            "--pidfile", System.IO.Path.Combine(root.Path, "dockerd.pid"), "--host", "unix://" + socket,
        ]);
        return new RunningDockerd(process, services.DockerCli, socket, root.Path, string.Join(' ', words));
    }

    private sealed class RunningDockerd(BackgroundProcess dockerd, string dockerCli, string socket, string root, string flags) : IAsyncDisposable
    {
        public async Task<JsonDocument> RegistryConfigAsync()
        {
            string[] docker = ["--host", "unix://" + socket];
            var deadline = DateTime.UtcNow.AddSeconds(60);
            ProcessResult? info = null;
            while (DateTime.UtcNow < deadline && !dockerd.HasExited)
            {
                info = await Processes.RunAsync(dockerCli, [.. docker, "info", "--format", "{{json .RegistryConfig}}"], timeout: TimeSpan.FromSeconds(20));
                if (info.ExitCode == 0)
                {
                    return JsonDocument.Parse(info.Output);
                }

                await Task.Delay(300);
            }

            Assert.Fail($"dockerd (flags from DOCKER_OPTS: {flags}) did not start.\n{dockerd.Log}\n{info}");
            throw new InvalidOperationException("unreachable");
        }

        public async Task<string> WaitForFailureAsync()
        {
            Assert.NotEqual(0, await dockerd.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            return dockerd.Log;
        }

        public async ValueTask DisposeAsync()
        {
            // SIGTERM first: dockerd then unmounts what it mounted under the root.
            await dockerd.StopAsync();

            foreach (var point in PrivateDockerdRoot.MountsUnder(root))
            {
                await Processes.RunAsync("umount", ["-l", point]);
            }

            await dockerd.DisposeAsync();
        }
    }
}
