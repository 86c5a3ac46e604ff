using System.Diagnostics;
using System.Text;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>Credential sources in the table: each kind written and read back (and from the resolution cache), edits that
/// change the source, the refresh token protected like a password and erased on removal, the expiry in UTC microseconds.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlSourceTests : IAsyncLifetime
{
    private const string CanaryToken = "Canary-Pg-RefreshToken-4b1e-Zürich€";
    private static readonly RegistryAddress Example = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly DateTimeOffset Expiry = new DateTimeOffset(2031, 4, 5, 6, 7, 8, TimeSpan.FromHours(2)).AddTicks(1234567);
    private readonly PostgreSqlTestDatabase _database = new();

    public static TheoryData<string> Kinds() => ["stored", "stored-expiring", "credential-helper", "kubelet-plugin", "identity-token"];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task AddRegistryAsync_EachKind_ReadBackByAnotherStoreAndItsCacheAsWritten(string kind)
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var credential = Credential(kind);

        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), credential);

        var read = await _database.OpenStore(schema).GetRegistryAsync(environment.Id, added.Registry.Id);
        var cachedStore = _database.OpenStore(schema, resolutionCache: true);
        var missed = Assert.Single(await cachedStore.ListRegistriesByAddressAsync(environment.Id, Example));
        var held = await HeldAsync(cachedStore, environment.Id);
        Assert.NotNull(read);
        foreach (var record in new[] { added, read, missed, held })
        {
            Assert.Equal(credential.Source, record.Registry.Source);
            Assert.Equal(credential.Username, record.Registry.Username);
            Assert.Equal(credential.Password?.Reveal(), record.Password?.Reveal());
            Assert.Equal(Describe(read), Describe(record));
        }

        // The expiry, to the microsecond in UTC: the record the add returned is already what every read gives.
        Assert.Equal(credential.ExpiresAt is { } at ? new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero) : null, read.Registry.ExpiresAt);
        Assert.Equal(TimeSpan.Zero, added.Registry.ExpiresAt?.Offset ?? TimeSpan.Zero);
        Assert.Equal(
            $"{credential.Source.KindName}|{credential.Source.Name}|{(credential.Source.HasStoredSecret ? "true" : "false")}",
            await _database.ScalarAsync($"SELECT source_kind || '|' || coalesce(source_name, '') || '|' || (protected_password IS NOT NULL)::text FROM {schema}.registries WHERE id = '{added.Registry.Id}'"));
    }

    [Fact]
    public async Task UpdateRegistryAsync_StoredToHelperToIdentityTokenToStored_EachSourceAndSecretAsGiven()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", new RegistrySecret("first"), Expiry));

        var helper = RegistryCredential.FromKubeletPlugin("ops@example.com", "ecr-credential-provider");
        var toHelper = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithCredential(helper), helper.Password));
        Assert.Equal("kubelet-plugin|ecr-credential-provider|||", await RowAsync(schema, added.Registry.Id));
        var readHelper = await _database.OpenStore(schema).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(CredentialSource.KubeletPlugin("ecr-credential-provider"), readHelper?.Registry.Source);
        Assert.Null(readHelper?.Password);
        Assert.Null(readHelper?.Registry.ExpiresAt);
        Assert.Equal(2, readHelper?.Registry.Version);

        var token = RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken));
        var toToken = await store.UpdateRegistryAsync(new StoredRegistry(toHelper.Registry.WithCredential(token), token.Password));
        var readToken = await _database.OpenStore(schema).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(CredentialSource.IdentityToken, readToken?.Registry.Source);
        Assert.Equal(CanaryToken, readToken?.Password?.Reveal());
        Assert.Equal("robot", readToken?.Registry.Username);

        var stored = new RegistryCredential("ops@example.com", "ops", new RegistrySecret("again"), Expiry);
        var toStored = await store.UpdateRegistryAsync(new StoredRegistry(toToken.Registry.WithCredential(stored), stored.Password));
        var readStored = await _database.OpenStore(schema).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(CredentialSource.Stored, readStored?.Registry.Source);
        Assert.Equal("again", readStored?.Password?.Reveal());
        Assert.Equal(stored.ExpiresAt, readStored?.Registry.ExpiresAt);
        Assert.Equal(Describe(readStored!), Describe(toStored));
        Assert.Equal(4, readStored?.Registry.Version);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(long.MaxValue)]
    public async Task AddRegistryAsync_ExpiryAtTheEndsOfTheRange_ReadBackAsReturned(long ticks)
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var expiry = new DateTimeOffset(Math.Min(ticks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
        var credential = new RegistryCredential("ops@example.com", "ops", new RegistrySecret("p"), expiry);

        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), credential);

        var read = await _database.OpenStore(schema).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(Describe(added), Describe(read!));
        Assert.Equal(credential.ExpiresAt, read!.Registry.ExpiresAt);
    }

    [Fact]
    public async Task IdentityToken_CanaryRefreshToken_NeverInTheTableInClearAndErasedOnRemoval()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken)));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));

        var table = (string)(await _database.ScalarAsync($"SELECT string_agg(r::text, E'\\n') FROM {schema}.registries r"))!;
        Assert.Contains("t1:", table, StringComparison.Ordinal);
        foreach (var form in new[] { CanaryToken, Convert.ToBase64String(Encoding.UTF8.GetBytes(CanaryToken)), Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:" + CanaryToken)), Convert.ToHexString(Encoding.UTF8.GetBytes(CanaryToken)) })
        {
            Assert.DoesNotContain(form, table, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain("canary", table, StringComparison.OrdinalIgnoreCase);

        var removed = await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));

        Assert.Equal("identity-token||||", await RowAsync(schema, added.Registry.Id));
        var read = await _database.OpenStore(schema).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(RegistryState.Removed, read?.Registry.State);
        Assert.Equal(CredentialSource.IdentityToken, read?.Registry.Source);
        Assert.Null(read?.Password);
        Assert.Null(removed.Password);
    }

    [Fact]
    public async Task ReprotectAsync_HelperAndTokenEntries_OnlyTheTokenIsReprotectedAndStillReads()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var token = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken)));
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), RegistryCredential.FromCredentialHelper("ops@example.com", "pass"));
        var before = await _database.ScalarAsync($"SELECT protected_password FROM {schema}.registries WHERE id = '{token.Registry.Id}'");

        var moved = await store.ReprotectAsync();

        Assert.Equal(1, moved);
        Assert.NotEqual(before, await _database.ScalarAsync($"SELECT protected_password FROM {schema}.registries WHERE id = '{token.Registry.Id}'"));
        Assert.Equal(CanaryToken, (await store.GetRegistryAsync(environment.Id, token.Registry.Id))?.Password?.Reveal());
        Assert.Single(await store.ListProtectedPasswordsAsync());
    }

    [Fact]
    public async Task ResolutionCache_OtherWriterChangesTheSource_CachedAnswerFollowsWithinTheBound()
    {
        var schema = _database.NewSchema();
        var writer = _database.OpenStore(schema);
        var cached = _database.OpenStore(schema, resolutionCache: true);
        var environment = await writer.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await writer.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", "password"));
        Assert.Equal(CredentialSource.Stored, Assert.Single(await cached.ListRegistriesByAddressAsync(environment.Id, Example)).Registry.Source);

        var helper = RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login");
        await writer.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithCredential(helper), null));

        var watch = Stopwatch.StartNew();
        StoredRegistry seen;
        do
        {
            seen = Assert.Single(await cached.ListRegistriesByAddressAsync(environment.Id, Example));
            if (seen.Registry.Source.Kind == CredentialSourceKind.CredentialHelper)
            {
                break;
            }

            await Task.Delay(20);
        }
        while (watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(CredentialSource.CredentialHelper("ecr-login"), seen.Registry.Source);
        Assert.Null(seen.Password);
        Assert.Equal(Describe((await writer.GetRegistryAsync(environment.Id, added.Registry.Id))!), Describe(seen));
    }

    private static RegistryCredential Credential(string kind) => kind switch
    {
        "stored" => new RegistryCredential("ops@example.com", "ops", "plain-password"),
        "stored-expiring" => new RegistryCredential("ops@example.com", "robot$ci", new RegistrySecret("robot-password"), Expiry),
        "credential-helper" => RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login"),
        "kubelet-plugin" => RegistryCredential.FromKubeletPlugin("ops@example.com", "ecr-credential-provider"),
        "identity-token" => RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // Every part of a record, the secret included (compared, never printed by a passing test).
    private static string Describe(StoredRegistry record)
    {
        var r = record.Registry;
        return string.Join(
            '|',
            r.Id,
            r.EnvironmentId,
            r.Scope,
            r.State,
            r.Email,
            r.Username,
            r.Sequence,
            r.Version,
            r.Source,
            r.ExpiresAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            record.Password?.Reveal());
    }

    // The answer from memory: the cache answers once its listener has made a round trip (bounded wait, no sleep-and-hope).
    private static async Task<StoredRegistry> HeldAsync(PostgreSqlRegistryStore store, string environmentId)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var operations = store.DatabaseOperations;
            var records = await store.ListRegistriesByAddressAsync(environmentId, Example);
            if (store.DatabaseOperations == operations)
            {
                return Assert.Single(records);
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "The resolution cache never answered from memory.");
            await Task.Delay(20);
        }
    }

    private async Task<string?> RowAsync(string schema, string id)
        => (string?)await _database.ScalarAsync($"SELECT source_kind || '|' || coalesce(source_name, '') || '|' || coalesce(expires_at::text, '') || '|' || coalesce(protected_password, '') || '|' FROM {schema}.registries WHERE id = '{id}'");
}
