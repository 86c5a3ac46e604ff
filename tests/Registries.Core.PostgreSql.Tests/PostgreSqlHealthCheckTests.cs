using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registries.Core.DependencyInjection;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The PostgreSQL store's health checks as an application registers them: ready turns Unhealthy at the first
/// probe after the server stops (a probe takes at most its 5 s timeout) while live stays Healthy, and ready recovers once
/// the server is back; the answers never hold the password.</summary>
/// <remarks>On a private cluster: stopping the shared server would fail the tests beside this one.</remarks>
[Trait("Category", "Integration")]
public sealed class PostgreSqlHealthCheckTests
{
    private static readonly TimeSpan ProbeBound = TimeSpan.FromSeconds(5);

    // What a busy test machine may add to a probe's own bound.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Ready_ServerStoppedAndStarted_UnhealthyWithinTheProbeBoundWhileLiveStaysHealthy_ThenRecovers()
    {
        await using var cluster = await PrivatePostgreSqlCluster.StartAsync();
        var password = new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString).Password!;
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ISecretProtector>(new TestSecretProtector());
        services.AddRegistries()
            .UsePostgreSql(o =>
            {
                o.ConnectionString = cluster.ConnectionString;
                o.ResolutionCache = true;
                o.ResolutionCacheMaxStaleness = TimeSpan.FromSeconds(2);
                o.CommandTimeout = TimeSpan.FromSeconds(5);
            })
            .AddPostgreSqlHealthChecks()
            .AddPostgreSqlHealthChecks();
        services.AddHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy(), tags: ["live"]);
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();

        await Poll(async () => (await ReadyAsync(health)).Status == HealthStatus.Healthy, "ready while the server runs");
        var up = await ReadyAsync(health);
        Assert.Equal(["registries-cache", "registries-store"], up.Entries.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Contains($"at version {PostgreSqlRegistryStore.SchemaVersion}", up.Entries["registries-store"].Description, StringComparison.Ordinal);

        await cluster.StopServerAsync();
        var watch = Stopwatch.StartNew();
        var down = await ReadyAsync(health);
        var probe = watch.Elapsed;
        var live = await health.CheckHealthAsync(c => c.Tags.Contains("live"));

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.True(probe < ProbeBound + Slack, $"The ready probe took {probe}.");
        Assert.Equal(HealthStatus.Unhealthy, down.Entries["registries-store"].Status);
        Assert.Contains($"127.0.0.1:{cluster.Port}", down.Entries["registries-store"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, live.Status);
        Assert.All(down.Entries.Values, e => Assert.DoesNotContain(password, e.Description ?? string.Empty, StringComparison.Ordinal));

        // The listener notices the drop too: the cache reads the database (Degraded) until it is back.
        await Poll(async () => (await ReadyAsync(health)).Entries["registries-cache"].Status == HealthStatus.Degraded, "the cache check to report the drop");

        await cluster.StartServerAsync();
        await Poll(async () => (await ReadyAsync(health)).Status == HealthStatus.Healthy, "ready once the server is back");
    }

    private static Task<HealthReport> ReadyAsync(HealthCheckService health) => health.CheckHealthAsync(c => c.Tags.Contains("ready"));

    private static async Task Poll(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
