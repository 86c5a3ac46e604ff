using System.Collections.Concurrent;
using Xunit.Abstractions;
using Microsoft.Extensions.Options;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The server stops in the middle of operations and starts again: in-flight operations fail as store errors,
/// nothing is half-written, and the same store object works again without a restart.</summary>
/// <remarks>On a private cluster (<see cref="PrivatePostgreSqlCluster"/>): stopping the shared server would fail the
/// tests that run beside this one.</remarks>
[Trait("Category", "Integration")]
public sealed class PostgreSqlServerRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Operations_ServerStoppedFastAndStartedAgain_FailAsStoreErrorsWriteNothingHalfAndTheSameStoreRecovers()
    {
        await using var cluster = await PrivatePostgreSqlCluster.StartAsync();
        var protector = new TestSecretProtector();
        await using var store = new PostgreSqlRegistryStore(
            Options.Create(new PostgreSqlStoreOptions { ConnectionString = cluster.ConnectionString, CommandTimeout = TimeSpan.FromSeconds(10) }), protector);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        var added = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<RegistryStoreException>();
        var unexpected = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            // Bounded: at most 5,000 rounds per worker, whatever happens to the server.
            for (var i = 0; i < 5000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var record = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse($"w{worker}.example.com")), new RegistryCredential("e@example.com", $"u{worker}-{i}", $"p{worker}-{i}"));
                    added[record.Registry.Id] = i;
                    await store.UpdateRegistryAsync(new StoredRegistry(record.Registry.WithState(RegistryState.Inactive), record.Password));
                }
                catch (RegistryStoreException e)
                {
                    failures.Enqueue(e);
                    await Task.Delay(50);
                }
                catch (Exception e)
                {
                    unexpected.Enqueue(e);
                }
            }
        })).ToArray();

        await WaitUntilAsync(() => added.Count >= 20, "adds before the stop");
        await cluster.StopServerAsync();
        await WaitUntilAsync(() => failures.Count >= 4, "failures while the server is down");

        // While it is down, a new operation cannot connect: a store error that names the server, not a hang.
        var down = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListRegistriesAsync(environment.Id));
        Assert.Contains($"Cannot reach the PostgreSQL server at 127.0.0.1:{cluster.Port}", down.Message, StringComparison.Ordinal);
        await cluster.StartServerAsync();
        var before = added.Count;
        await WaitUntilAsync(() => added.Count >= before + 20, "adds once the server is back");
        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        // What an operator would read, once per kind of failure.
        foreach (var message in failures.Select(e => e.Message).Distinct(StringComparer.Ordinal).Take(10))
        {
            output.WriteLine(message);
        }

        Assert.Empty(unexpected);
        Assert.All(failures, e =>
        {
            Assert.Contains($"127.0.0.1:{cluster.Port}", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            Assert.NotNull(e.InnerException);
        });

        // Nothing half-written: every entry is whole (it reads, its password decrypts and belongs to it), and every add
        // that reported success is there. An add whose answer was lost may be there too, whole.
        var listed = await store.ListRegistriesAsync(environment.Id);
        Assert.All(added.Keys, id => Assert.Contains(listed, r => r.Registry.Id == id));
        Assert.All(listed, r =>
        {
            Assert.NotNull(r.Password);
            Assert.Equal("p" + r.Registry.Username[1..], r.Password.Reveal());
            Assert.Equal(r.Registry.Address, RegistryAddress.Parse(r.Registry.Address.ToString()));
        });
        Assert.Equal(listed.Count, listed.Select(r => r.Registry.Sequence).Distinct().Count());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
