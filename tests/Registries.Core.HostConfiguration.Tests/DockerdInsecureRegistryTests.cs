using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>A second, short-lived dockerd reads the daemon.json the library edited.</summary>
[Trait("Category", "Integration")]
public sealed class DockerdInsecureRegistryTests
{
    [Fact]
    public async Task Add_EditedDaemonJson_RealDockerdStartsAndListsTheInsecureRegistry()
    {
        var services = TestServices.Require();

        // Unix socket paths are limited to about 100 characters: keep the root short.
        var root = Path.Combine("/tmp", "rchc-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var socket = Path.Combine(root, "d.sock");
        var daemonJson = Path.Combine(root, "daemon.json");

        // Options that are not given on the command line (dockerd refuses a directive given both ways).
        await File.WriteAllTextAsync(daemonJson, "{\n  \"log-level\": \"warn\",\n  \"max-concurrent-downloads\": 2,\n  \"insecure-registries\": [\"10.99.0.0/16\"]\n}\n");
        var configurator = new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions
        {
            DaemonJsonPath = daemonJson,
            DockerDefaultsPath = Path.Combine(root, "default-docker"),
        }));
        Assert.True((await configurator.AddAsync(RegistryAddress.Parse("registry.example.com:5000"))).RestartRequired);
        Assert.True((await configurator.AddAsync(RegistryAddress.Parse("Other-Registry.example.com:5001"))).RestartRequired);
        Assert.False((await configurator.AddAsync(RegistryAddress.Parse("registry.EXAMPLE.com:5000"))).RestartRequired);

        await using var dockerd = StartDockerd(services, root, daemonJson, socket);
        try
        {
            string[] docker = ["--host", "unix://" + socket];
            var deadline = DateTime.UtcNow.AddSeconds(60);
            ProcessResult? version = null;
            while (DateTime.UtcNow < deadline && !dockerd.HasExited)
            {
                version = await Processes.RunAsync(services.DockerCli, [.. docker, "version", "--format", "{{.Server.Version}}"]);
                if (version.ExitCode == 0)
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.True(version is { ExitCode: 0 }, $"dockerd did not start with the edited daemon.json.\n{dockerd.Log}\n{version}");

            var info = await Processes.RunAsync(services.DockerCli, [.. docker, "info", "--format", "{{json .RegistryConfig}}"]);
            Assert.True(info.ExitCode == 0, info.ToString());
            using var registryConfig = JsonDocument.Parse(info.Output);
            var indexConfigs = registryConfig.RootElement.GetProperty("IndexConfigs");
            Assert.False(indexConfigs.GetProperty("registry.example.com:5000").GetProperty("Secure").GetBoolean());
            Assert.False(indexConfigs.GetProperty("Other-Registry.example.com:5001").GetProperty("Secure").GetBoolean());
            var cidrs = registryConfig.RootElement.GetProperty("InsecureRegistryCIDRs").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("10.99.0.0/16", cidrs);
        }
        finally
        {
            await StopAsync(dockerd, root);
        }
    }

    [Fact]
    public async Task Dockerd_InsecureRegistryAsFlagAndInDaemonJson_RefusesToStart()
    {
        // Why InsecureRegistryTarget.Auto never writes both files: dockerd refuses the same directive given both ways.
        var services = TestServices.Require();
        var root = Path.Combine("/tmp", "rchc-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var daemonJson = Path.Combine(root, "daemon.json");
        await new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { DaemonJsonPath = daemonJson, DockerDefaultsPath = Path.Combine(root, "default-docker") }))
            .AddAsync(RegistryAddress.Parse("registry.example.com:5000"));

        await using var dockerd = StartDockerd(services, root, daemonJson, Path.Combine(root, "d.sock"), "--insecure-registry=other.example.com:5000");
        try
        {
            Assert.NotEqual(0, await dockerd.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("both as a flag and in the configuration file", dockerd.Log, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(dockerd, root);
        }
    }

    private static BackgroundProcess StartDockerd(TestServices services, string root, string daemonJson, string socket, params string[] extra)
        => new(services.Dockerd,
        [
            "--config-file", daemonJson,
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--data-root", Path.Combine(root, "data"), "--exec-root", Path.Combine(root, "exec"),
            "--pidfile", Path.Combine(root, "dockerd.pid"), "--host", "unix://" + socket,
            .. extra,
        ]);

    private static async Task StopAsync(BackgroundProcess dockerd, string root)
    {
        // SIGTERM first: dockerd then unmounts what it mounted under its roots.
        await dockerd.StopAsync();

        // dockerd can leave mounts under its roots; unmount the deepest first, then delete.
        var mounts = File.ReadAllLines("/proc/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(point => point.StartsWith(root + "/", StringComparison.Ordinal))
            .OrderByDescending(point => point.Length);
        foreach (var point in mounts)
        {
            await Processes.RunAsync("umount", ["-l", point]);
        }

        Directory.Delete(root, recursive: true);
    }
}
