using System.Text.Json;
using System.Text.Json.Nodes;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The docker-daemon fragment, merged into a minimal daemon.json, read by a real, short-lived dockerd.</summary>
/// <remarks>Debian's dockerd (20.10) has no <c>--validate</c>: starting it with the file is its validation (it refuses
/// to start on a mirror URL it cannot use), and <c>docker info</c> shows the mirrors as it read them. Nothing is pulled.</remarks>
[Trait("Category", "Integration")]
public sealed class DockerDaemonFragmentDockerdTests
{
    [Fact]
    public async Task Fragment_MergedIntoDaemonJson_RealDockerdStartsAndListsTheMirrorsInOrder()
    {
        var services = TestServices.Require();
        var domain = await Domain.CreateAsync();
        foreach (var mirror in new[] { "mirror.example.com:5000", "[fd00::5]:5000", "cache.example.com" })
        {
            await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse(mirror)));
        }

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);
        var fragment = (await export.RenderAsync(DockerConfigFormat.DockerDaemon)).Files[0].GetText();

        // Unix socket paths are limited to about 100 characters: keep the root short.
        var root = Path.Combine("/tmp", "rcdd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var daemonJson = Path.Combine(root, "daemon.json");
        var socket = Path.Combine(root, "d.sock");
        var merged = JsonNode.Parse("{\"log-level\": \"warn\", \"max-concurrent-downloads\": 2}")!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(fragment)!.AsObject().ToArray())
        {
            merged[key] = value?.DeepClone();
        }

        await File.WriteAllTextAsync(daemonJson, merged.ToJsonString());
        await using var dockerd = new BackgroundProcess(services.Dockerd,
        [
            "--config-file", daemonJson,
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--data-root", Path.Combine(root, "data"), "--exec-root", Path.Combine(root, "exec"),
            "--pidfile", Path.Combine(root, "dockerd.pid"), "--host", "unix://" + socket,
        ]);
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

            Assert.True(version is { ExitCode: 0 }, $"dockerd did not start with the exported fragment.\n{fragment}\n{dockerd.Log}\n{version}");
            var info = await Processes.RunAsync(services.DockerCli, [.. docker, "info", "--format", "{{json .RegistryConfig.Mirrors}}"]);
            Assert.True(info.ExitCode == 0, info.ToString());
            var mirrors = JsonDocument.Parse(info.Output).RootElement.EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Equal(["https://mirror.example.com:5000/", "https://[fd00::5]:5000/", "https://cache.example.com/"], mirrors);
        }
        finally
        {
            await StopAsync(dockerd, root);
        }
    }

    [Fact]
    public async Task Dockerd_AMirrorItCannotUse_RefusesToStart()
    {
        // The control: dockerd does check registry-mirrors when it starts, so the test above proves something.
        var services = TestServices.Require();
        var root = Path.Combine("/tmp", "rcdd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var daemonJson = Path.Combine(root, "daemon.json");
        await File.WriteAllTextAsync(daemonJson, "{\"registry-mirrors\": [\"ftp://mirror.example.com\"]}");
        await using var dockerd = new BackgroundProcess(services.Dockerd,
        [
            "--config-file", daemonJson,
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--data-root", Path.Combine(root, "data"), "--exec-root", Path.Combine(root, "exec"),
            "--pidfile", Path.Combine(root, "dockerd.pid"), "--host", "unix://" + Path.Combine(root, "d.sock"),
        ]);
        try
        {
            Assert.NotEqual(0, await dockerd.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("ftp://mirror.example.com", dockerd.Log, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(dockerd, root);
        }
    }

    private static async Task StopAsync(BackgroundProcess dockerd, string root)
    {
        // SIGTERM first: dockerd then unmounts what it mounted under its roots.
        await dockerd.StopAsync();
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
