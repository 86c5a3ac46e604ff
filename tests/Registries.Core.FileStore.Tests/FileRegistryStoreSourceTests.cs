using System.Text;
using System.Text.Json.Nodes;

namespace Registries.Core.FileStore.Tests;

/// <summary>Credential sources in the store file: each kind written and read back, edits that change the source, the
/// refresh token protected like a password and erased on removal, format 3 only when needed, and a newer kind refused.</summary>
public sealed class FileRegistryStoreSourceTests : IDisposable
{
    private const string CanaryToken = "canary-RefreshT0ken-\u00e9\u00df\"'\\:+/=";
    private static readonly RegistryAddress Example = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly DateTimeOffset Expiry = new DateTimeOffset(2031, 4, 5, 6, 7, 8, TimeSpan.FromHours(2)).AddTicks(1234567);
    private readonly TestDirectory _folder = new("registries-filestore-");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Kinds() => ["stored", "stored-expiring", "credential-helper", "kubelet-plugin", "identity-token"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task AddRegistryAsync_EachKind_ReadBackByAnotherStoreAsWritten(string kind)
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var credential = Credential(kind);

        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), credential);

        var read = await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.NotNull(read);
        foreach (var record in new[] { added, read })
        {
            Assert.Equal(credential.Source, record.Registry.Source);
            Assert.Equal(credential.ExpiresAt, record.Registry.ExpiresAt);
            Assert.Equal(credential.ExpiresAt?.Offset, record.Registry.ExpiresAt?.Offset);
            Assert.Equal(credential.Username, record.Registry.Username);
            Assert.Equal(credential.Password?.Reveal(), record.Password?.Reveal());
        }

        var entry = EntryOf(await File.ReadAllTextAsync(path), added.Registry.Id);
        Assert.Equal(credential.Source.HasStoredSecret, entry["protectedPassword"] is not null);
        Assert.Equal(credential.Source.Kind == CredentialSourceKind.Stored ? null : credential.Source.KindName, (string?)entry["sourceKind"]);
        Assert.Equal(credential.Source.Name, (string?)entry["sourceName"]);
    }

    [Fact]
    public async Task UpdateRegistryAsync_StoredToHelperToIdentityTokenToStored_EachSourceAndSecretAsGiven()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", new RegistrySecret("first"), Expiry));

        var helper = RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login");
        var toHelper = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithCredential(helper), helper.Password));
        Assert.Null(EntryOf(await File.ReadAllTextAsync(path), added.Registry.Id)["protectedPassword"]);
        Assert.Null(EntryOf(await File.ReadAllTextAsync(path), added.Registry.Id)["expiresAt"]);
        var readHelper = await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(CredentialSource.CredentialHelper("ecr-login"), readHelper?.Registry.Source);
        Assert.Null(readHelper?.Password);
        Assert.Null(readHelper?.Registry.ExpiresAt);
        Assert.Equal(2, readHelper?.Registry.Version);

        var token = RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken));
        var toToken = await store.UpdateRegistryAsync(new StoredRegistry(toHelper.Registry.WithCredential(token), token.Password));
        var readToken = await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(CredentialSource.IdentityToken, readToken?.Registry.Source);
        Assert.Equal(CanaryToken, readToken?.Password?.Reveal());
        Assert.Equal("robot", readToken?.Registry.Username);

        var stored = new RegistryCredential("ops@example.com", "ops", "again");
        await store.UpdateRegistryAsync(new StoredRegistry(toToken.Registry.WithCredential(stored), stored.Password));
        var readStored = await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(CredentialSource.Stored, readStored?.Registry.Source);
        Assert.Equal("again", readStored?.Password?.Reveal());
        Assert.Null(EntryOf(await File.ReadAllTextAsync(path), added.Registry.Id)["sourceKind"]);

        // Back to stored passwords without expiry only: older releases can read the file again.
        Assert.Equal(1, (int)JsonNode.Parse(await File.ReadAllTextAsync(path))!["formatVersion"]!);
    }

    [Fact]
    public async Task IdentityToken_CanaryRefreshToken_NeverOnDiskInClearOrBase64AndGoneOnRemoval()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken)));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));
        var ciphertext = (string?)EntryOf(await File.ReadAllTextAsync(path), added.Registry.Id)["protectedPassword"];
        Assert.NotNull(ciphertext);
        await AssertNoCanaryOnDiskAsync();

        var removed = await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));

        var content = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain(ciphertext, content, StringComparison.Ordinal);
        Assert.Null(EntryOf(content, added.Registry.Id)["protectedPassword"]);
        var read = await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(RegistryState.Removed, read?.Registry.State);
        Assert.Equal(CredentialSource.IdentityToken, read?.Registry.Source);
        Assert.Null(read?.Password);
        Assert.Null(removed.Password);
        Assert.DoesNotContain(CanaryToken, read!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentityToken_CiphertextCopiedOntoAnotherEntry_RefusedAsUndecryptable()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var token = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken)));
        var other = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), new RegistryCredential("ops@example.com", "ops", "other"));
        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var entries = document["registries"]!.AsArray();
        var ciphertext = (string)entries.Single(e => (string?)e!["id"] == token.Registry.Id)!["protectedPassword"]!;
        entries.Single(e => (string?)e!["id"] == other.Registry.Id)!["protectedPassword"] = ciphertext;
        await File.WriteAllTextAsync(path, document.ToJsonString());

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).ListRegistriesAsync(environment.Id));

        Assert.Contains("cannot be decrypted", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CanaryToken, e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("credential-helper")]
    [InlineData("kubelet-plugin")]
    [InlineData("identity-token")]
    [InlineData("stored-expiring")]
    public async Task AddRegistryAsync_SourceOrExpiry_FileBecomesFormatThreeWhichAnOlderReleaseRefuses(string kind)
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var plain = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", "p"));
        Assert.Equal(1, (int)JsonNode.Parse(await File.ReadAllTextAsync(path))!["formatVersion"]!);

        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), Credential(kind));

        Assert.Equal(3, (int)JsonNode.Parse(await File.ReadAllTextAsync(path))!["formatVersion"]!);
        Assert.Null(EntryOf(await File.ReadAllTextAsync(path), plain.Registry.Id)["sourceKind"]);
    }

    [Fact]
    public async Task ListRegistriesAsync_FormatTwoFile_ReadsEveryEntryAsStoredWithoutExpiry()
    {
        var path = _folder.Combine("store.json");
        var protector = new KeyFileSecretProtector(path + ".key");
        var secret = protector.Protect(new RegistrySecret("old-password"), new SecretContext("1a1", "1r2"));
        await File.WriteAllTextAsync(path, $$"""
            {"formatVersion":2,"sequence":2,"environments":[{"id":"1a1","name":"a","orchestration":"Cattle","members":{},"version":1}],
             "registries":[{"id":"1r2","environmentId":"1a1","address":"r.example.com","path":"team","state":"Active","email":"a@b.c","username":"u","sequence":2,"version":1,"protectedPassword":"{{secret}}"}]}
            """);

        var entry = Assert.Single(await FileRegistryStore.Open(path).ListRegistriesAsync("1a1"));

        Assert.Equal(CredentialSource.Stored, entry.Registry.Source);
        Assert.Null(entry.Registry.ExpiresAt);
        Assert.Equal("old-password", entry.Password?.Reveal());
    }

    [Fact]
    public async Task ListRegistriesAsync_KindOfANewerRelease_RefusedSayingToUpgradeAndFileUnchanged()
    {
        var path = _folder.Combine("store.json");
        var content = $$"""
            {"formatVersion":3,"sequence":2,"environments":[{"id":"1a1","name":"a","orchestration":"Cattle","members":{},"version":1}],
             "registries":[{"id":"1r2","environmentId":"1a1","address":"r.example.com","state":"Active","email":"a@b.c","username":"","sequence":2,"version":1,"sourceKind":"vault-agent","sourceName":"x"}]}
            """;
        await File.WriteAllTextAsync(path, content);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListRegistriesAsync("1a1"));
        var write = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        foreach (var e in new[] { read, write })
        {
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("newer release", e.Message, StringComparison.Ordinal);
            Assert.Contains("Upgrade Registries.Core", e.Message, StringComparison.Ordinal);
            Assert.Contains("1r2", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }

        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData(2, "\"sourceKind\":\"credential-helper\",\"sourceName\":\"pass\"", "format version 2")]
    [InlineData(2, "\"protectedPassword\":\"x\",\"expiresAt\":\"2030-01-01T00:00:00+00:00\"", "format version 2")]
    [InlineData(3, "\"sourceKind\":\"credential-helper\"", "invalid credential source")]
    [InlineData(3, "\"sourceKind\":\"credential-helper\",\"sourceName\":\"../../bin/sh\"", "invalid credential source")]
    [InlineData(3, "\"sourceKind\":\"credential-helper\",\"sourceName\":\"pass\",\"protectedPassword\":\"x\"", "has a protected password")]
    [InlineData(3, "\"sourceKind\":\"kubelet-plugin\",\"sourceName\":\"ecr\",\"expiresAt\":\"2030-01-01T00:00:00+00:00\"", "is invalid")]
    [InlineData(3, "\"sourceKind\":\"identity-token\"", "has no protected password")]
    [InlineData(3, "\"sourceName\":\"pass\",\"protectedPassword\":\"x\"", "source name but no source kind")]
    [InlineData(3, "\"sourceKind\":\"identity-token\",\"sourceName\":\"x\",\"protectedPassword\":\"x\"", "invalid credential source")]
    public async Task ListRegistriesAsync_SourceBreakingARule_RefusedAsDamagedAndFileUnchanged(int version, string fields, string expected)
    {
        var path = _folder.Combine("store.json");
        var content = $$"""
            {"formatVersion":{{version}},"sequence":2,"environments":[{"id":"1a1","name":"a","orchestration":"Cattle","members":{},"version":1}],
             "registries":[{"id":"1r2","environmentId":"1a1","address":"r.example.com","state":"Active","email":"a@b.c","username":"u","sequence":2,"version":1,{{fields}}}]}
            """;
        await File.WriteAllTextAsync(path, content);

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).ListRegistriesAsync("1a1"));

        Assert.Contains("is damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task ReprotectAsync_IdentityTokenEntry_RefreshTokenMovesToTheNewKeyAndStillReads()
    {
        var path = _folder.Combine("store.json");
        var protector = new KeyFileSecretProtector(path + ".key");
        var store = FileStores.Over(path, protector);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var token = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), RegistryCredential.FromIdentityToken("ops@example.com", "robot", new RegistrySecret(CanaryToken)));
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), RegistryCredential.FromKubeletPlugin("ops@example.com", "ecr-credential-provider"));
        var before = (string?)EntryOf(await File.ReadAllTextAsync(path), token.Registry.Id)["protectedPassword"];

        await protector.RotateKeyAsync();
        var moved = await store.ReprotectAsync();

        Assert.Equal(1, moved);
        Assert.NotEqual(before, (string?)EntryOf(await File.ReadAllTextAsync(path), token.Registry.Id)["protectedPassword"]);
        Assert.Equal(CanaryToken, (await FileStores.Over(path, new KeyFileSecretProtector(path + ".key")).GetRegistryAsync(environment.Id, token.Registry.Id))?.Password?.Reveal());
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

    private static JsonNode EntryOf(string content, string id)
        => JsonNode.Parse(content)!["registries"]!.AsArray().Single(e => (string?)e!["id"] == id)!;

    private async Task AssertNoCanaryOnDiskAsync()
    {
        var forbidden = new[]
        {
            Encoding.UTF8.GetBytes(CanaryToken),
            Encoding.Unicode.GetBytes(CanaryToken),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(CanaryToken))),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:" + CanaryToken))),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(CanaryToken))[..16]),
        };
        foreach (var file in Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var pattern in forbidden)
            {
                Assert.True(bytes.AsSpan().IndexOf(pattern) < 0, $"'{file}' contains the refresh token or an encoding of it.");
            }

            Assert.DoesNotContain("canary", Encoding.UTF8.GetString(bytes), StringComparison.OrdinalIgnoreCase);
        }
    }
}
