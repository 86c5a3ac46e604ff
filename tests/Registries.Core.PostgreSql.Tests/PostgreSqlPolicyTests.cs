using System.Diagnostics;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>An environment's policy and mirrors on the real server: read with the environment in the one round trip of
/// a resolution, a change on one instance obeyed by another instance's cached resolution within the staleness bound,
/// and rows that a plain SQL writer got past the schema's checks refused by name, with nothing changed.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlPolicyTests : IAsyncLifetime
{
    private const string Canary = "canary-Pw0rd";
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly ImageReference Image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task PolicyChangedOnInstanceA_InstanceBsCachedResolutionObeysItWithinTheBoundAndNeverGoesBack()
    {
        var schema = _database.NewSchema();
        var a = _database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness);
        var b = _database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness);
        var serviceA = new RegistryService(a).As("alice");
        var environment = await serviceA.CreateEnvironmentAsync("prod");
        await serviceA.AddRegistryAsync(environment.Id, Address, new RegistryCredential("e@example.com", "user", "password"));
        await CachedAsync(b, environment.Id, data => data.Environment!.Policy.Evaluate(Image).IsAllowed);

        var changed = Stopwatch.StartNew();
        await serviceA.SetPolicyRuleAsync(environment.Id, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com:5000/team")));

        await AssertObeyedAsync(b, environment.Id, changed, data => !data.Environment!.Policy.Evaluate(Image).IsAllowed);
        var denied = (await b.ReadResolutionAsync(environment.Id, Address)).Environment!.Policy.Evaluate(Image);
        Assert.Equal("deny registry.example.com:5000/team", denied.Rule?.ToString());

        // A mirror added on A reaches B the same way.
        changed.Restart();
        await serviceA.AddMirrorAsync(environment.Id, RegistryMirror.Create(Address, RegistryAddress.Parse("mirror.example.com"), mirrorOnly: true));
        await AssertObeyedAsync(b, environment.Id, changed, data => data.Environment!.Mirrors.Plan(Image).Single().Image.ToString() == "mirror.example.com/team/app:1.0");
    }

    [Fact]
    public async Task ReadResolutionAsync_Uncached_OneOperationBringsThePolicyAndMirrorsWithTheEntries()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var service = new RegistryService(store).As("alice");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("e@example.com", "user", "password"));
        await service.SetPolicyRuleAsync(environment.Id, PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com:5000"), digestOnly: true));
        await service.AddMirrorAsync(environment.Id, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com"), MirrorRewrite.Parse("^library/(.*)$", "hub/${1}")));
        var reader = _database.OpenStore(schema);
        await reader.GetEnvironmentAsync(environment.Id);

        var before = reader.DatabaseOperations;
        var data = await reader.ReadResolutionAsync(environment.Id, Address);

        Assert.Equal(before + 1, reader.DatabaseOperations);
        Assert.Equal("user", Assert.Single(data.Entries).Registry.Username);
        Assert.Equal("allow registry.example.com:5000 (digest only)", Assert.Single(data.Environment!.Policy.Rules).ToString());
        Assert.Equal("^library/(.*)$ -> hub/${1}", Assert.Single(data.Environment.Mirrors.All).Rewrite?.ToString());
    }

    [Theory]
    [InlineData("policy", """[{"scope":"https://admin:canary-Pw0rd@registry.example.com/team","effect":"allow","digestOnly":false}]""", "policy rule 1 has a scope that is not valid")]
    [InlineData("policy", """[{"scope":"r.example.com/team","effect":"allow","digestOnly":false},{"scope":"R.example.com/team","effect":"deny","digestOnly":false}]""", "policy rules 1 and 2 both have the scope r.example.com/team")]
    [InlineData("policy", """[{"scope":"r.example.com/a\u001b[2Jb","effect":"deny","digestOnly":false}]""", "policy rule 1 has a scope that is not valid")]
    [InlineData("mirrors", """[{"upstream":"docker.io","address":"m.example.com","rewrite":{"pattern":"(?<=a)b","replacement":"x"},"mirrorOnly":false}]""", "mirror 1 (m.example.com of docker.io) has a rewrite that does not parse")]
    [InlineData("mirrors", """[{"upstream":"docker.io","address":"registry-1.docker.io","mirrorOnly":false}]""", "cannot be a mirror of itself")]
    [InlineData("mirrors", """[{"upstream":"docker.io","address":"m.example.com","mirrorOnly":false},{"upstream":"index.docker.io","address":"m.example.com","mirrorOnly":true}]""", "mirrors 1 and 2 are both m.example.com of docker.io")]
    public async Task GetEnvironmentAsync_RowAPlainSqlWriterGotPastTheChecks_RefusedByNameAndNothingChanged(string column, string json, string expected)
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        await _database.ExecuteAsync($"UPDATE {schema}.environments SET {column} = '{json.Replace("'", "''", StringComparison.Ordinal)}' WHERE id = '{environment.Id}'");
        var before = await _database.ScalarAsync($"SELECT e::text FROM {schema}.environments e");

        var errors = new[]
        {
            await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.GetEnvironmentAsync(environment.Id)),
            await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync()),
            await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ReadResolutionAsync(environment.Id, Address)),
            await Assert.ThrowsAsync<RegistryStoreException>(async () => await new RegistryService(store).As("alice").SetPolicyRuleAsync(environment.Id, PolicyRule.Deny(RegistryScope.ParseScope("x.example.com")))),
        };

        foreach (var e in errors)
        {
            Assert.Contains($"The environment '{environment.Id}' in schema '{schema}'", e.Message, StringComparison.Ordinal);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains("Correct its row (columns policy and mirrors)", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }

        Assert.Equal(before, await _database.ScalarAsync($"SELECT e::text FROM {schema}.environments e"));
    }

    private static async Task CachedAsync(PostgreSqlRegistryStore store, string environmentId, Func<Storage.ResolutionData, bool> expected)
    {
        store.Listener!.EnsureStarted();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var before = store.DatabaseOperations;
            var data = await store.ReadResolutionAsync(environmentId, Address);
            Assert.True(expected(data), "Unexpected answer before the change.");
            if (store.DatabaseOperations == before)
            {
                return;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "Waited 10 s for the answer to be cached.");
            await Task.Delay(10);
        }
    }

    private static async Task AssertObeyedAsync(PostgreSqlRegistryStore b, string environmentId, Stopwatch changed, Func<Storage.ResolutionData, bool> isNew)
    {
        while (!isNew(await b.ReadResolutionAsync(environmentId, Address)))
        {
            Assert.True(changed.Elapsed < MaxStaleness + Slack, $"B still read the old policy or mirrors {changed.Elapsed.TotalMilliseconds:0} ms after the change was committed (bound {MaxStaleness.TotalSeconds} s).");
            await Task.Delay(5);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.True(isNew(await b.ReadResolutionAsync(environmentId, Address)), "B went back to the old policy or mirrors.");
            await Task.Delay(5);
        }

        // And from its cache again, with no round trip.
        await CachedAsync(b, environmentId, isNew);
    }
}
