using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registries.Core.DependencyInjection;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>The Docker Engine's health check against a real dockerd of the test's own: ready turns Unhealthy at the
/// first probe after the engine stops (a probe takes at most its 5 s timeout) while live stays Healthy, and recovers
/// when an engine answers on the socket again.</summary>
/// <remarks>A private dockerd (as eng/services.sh runs it: vfs, no iptables, no bridge): stopping the shared one would
/// fail the tests beside this one.</remarks>
[Trait("Category", "Integration")]
public sealed class DockerHealthCheckTests
{
    private static readonly TimeSpan ProbeBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Ready_EngineStoppedAndStarted_UnhealthyWithinTheProbeBoundWhileLiveStaysHealthy_ThenRecovers()
    {
        var services = TestServices.Require();

        // Unix socket paths are limited to about 100 characters: keep the root short.
        var root = Path.Combine("/tmp", "rcdh-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var socket = Path.Combine(root, "d.sock");
        await File.WriteAllTextAsync(Path.Combine(root, "daemon.json"), "{}\n");
        var collection = new ServiceCollection().AddLogging();
        collection.AddRegistries().UseDocker(o => o.Endpoint = new Uri("unix://" + socket)).AddDockerHealthCheck();
        collection.AddHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy(), tags: ["live"]);
        await using var provider = collection.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        var dockerd = StartDockerd(services, root, socket);
        try
        {
            await Poll(async () => (await ReadyAsync(health)).Status == HealthStatus.Healthy, "the private dockerd to answer", dockerd);
            Assert.Equal(["registries-docker"], (await ReadyAsync(health)).Entries.Keys.ToArray());

            await dockerd.StopAsync();
            var watch = Stopwatch.StartNew();
            var down = await ReadyAsync(health);
            var probe = watch.Elapsed;

            Assert.Equal(HealthStatus.Unhealthy, down.Status);
            Assert.True(probe < ProbeBound + Slack, $"The ready probe took {probe}.");
            Assert.Contains(socket, down.Entries["registries-docker"].Description, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("live"))).Status);

            await dockerd.DisposeAsync();
            dockerd = StartDockerd(services, root, socket);
            await Poll(async () => (await ReadyAsync(health)).Status == HealthStatus.Healthy, "ready once an engine answers again", dockerd);
        }
        finally
        {
            await StopAsync(dockerd, root);
        }
    }

    private static Task<HealthReport> ReadyAsync(HealthCheckService health) => health.CheckHealthAsync(c => c.Tags.Contains("ready"));

    private static BackgroundProcess StartDockerd(TestServices services, string root, string socket)
        => new(services.Dockerd,
        [
            "--config-file", Path.Combine(root, "daemon.json"),
            "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--data-root", Path.Combine(root, "data"), "--exec-root", Path.Combine(root, "exec"),
            "--pidfile", Path.Combine(root, "dockerd.pid"), "--host", "unix://" + socket,
        ]);

    private static async Task StopAsync(BackgroundProcess dockerd, string root)
    {
        // SIGTERM first: dockerd then unmounts what it mounted under its roots.
        await dockerd.StopAsync();
        await dockerd.DisposeAsync();
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

    private static async Task Poll(Func<Task<bool>> condition, string what, BackgroundProcess dockerd)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60) && !dockerd.HasExited, $"Timed out waiting for {what}.\n{dockerd.Log}");
            await Task.Delay(250);
        }
    }
}
