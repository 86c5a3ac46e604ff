using System.Text;
using Npgsql;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The database holds only what the protector returns: no password in clear or in any encoding, bound to its entry.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlSecretTests : IAsyncLifetime
{
    private const string Canary = "Canary-Pg-Secret-7f3a9c-Zürich€";
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task PgDump_StoreHoldingCanaryPassword_ContainsItInNoForm()
    {
        var connectionString = await _database.CreateDatabaseAsync();
        var store = _database.OpenStore(PostgreSqlStoreOptions.DefaultSchema, connectionString);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        var active = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("registry.example.com:5000")), new RegistryCredential("a@example.com", "canary-user", Canary));
        var edited = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), new RegistryCredential("a@example.com", "canary-user", "first"));
        await store.UpdateRegistryAsync(new StoredRegistry(edited.Registry.WithIdentity("a@example.com", "canary-user"), new RegistrySecret(Canary)));
        Assert.Equal(Canary, (await store.GetRegistryAsync(environment.Id, active.Registry.Id))?.Password?.Reveal());

        var dump = await DumpAsync(connectionString);

        // The dump is complete: it holds the entries and their protected values, only not the password.
        Assert.Contains("canary-user", dump, StringComparison.Ordinal);
        Assert.Contains("registry.example.com:5000", dump, StringComparison.Ordinal);
        Assert.Contains("t1:", dump, StringComparison.Ordinal);
        foreach (var (form, text) in Forms(Canary).Concat(Forms("canary-user:" + Canary)))
        {
            Assert.False(dump.Contains(text, StringComparison.OrdinalIgnoreCase), $"The dump holds the password as {form}.");
        }

        var bytes = Encoding.UTF8.GetBytes(dump);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(Canary)));
    }

    [Fact]
    public async Task GetRegistryAsync_CiphertextCopiedFromAnotherEntry_FailsWithoutShowingIt()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var source = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("a.example.com")), new RegistryCredential("a@example.com", "a", Canary));
        var target = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("b.example.com")), new RegistryCredential("b@example.com", "b", "other"));
        var ciphertext = (string)(await _database.ScalarAsync($"SELECT protected_password FROM {schema}.registries WHERE id = '{source.Registry.Id}'"))!;

        await _database.ExecuteAsync($"UPDATE {schema}.registries SET protected_password = '{ciphertext}' WHERE id = '{target.Registry.Id}'");

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.GetRegistryAsync(environment.Id, target.Registry.Id));
        Assert.Contains(target.Registry.Id, e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be decrypted", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ciphertext, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);
        Assert.Equal(Canary, (await store.GetRegistryAsync(environment.Id, source.Registry.Id))?.Password?.Reveal());
    }

    [Fact]
    public async Task UpdateRegistryAsync_Removed_ErasesTheProtectedValueFromTheRow()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("a.example.com")), new RegistryCredential("a@example.com", "a", Canary));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));

        await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));

        Assert.IsType<DBNull>(await _database.ScalarAsync($"SELECT protected_password FROM {schema}.registries WHERE id = '{added.Registry.Id}'"));
    }

    private async Task<string> DumpAsync(string connectionString)
    {
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        var result = await Processes.RunAsync(
            _database.Server.Program("pg_dump"),
            ["--host", parsed.Host!, "--port", parsed.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", parsed.Username!, "--dbname", parsed.Database!, "--no-password"],
            new Dictionary<string, string?> { ["PGPASSWORD"] = parsed.Password },
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, "pg_dump failed: " + result.Error);
        return result.Output;
    }

    // The password in clear, and in the reversible encodings a careless store would use: base64 (at each of the three
    // alignments it can take inside a longer value), hex, and those of its UTF-16LE bytes.
    private static IEnumerable<(string Form, string Text)> Forms(string secret)
    {
        yield return ("clear text", secret);
        foreach (var (encoding, bytes) in new[] { ("UTF-8", Encoding.UTF8.GetBytes(secret)), ("UTF-16LE", Encoding.Unicode.GetBytes(secret)) })
        {
            yield return ($"hex of {encoding}", Convert.ToHexString(bytes));
            for (var offset = 0; offset < 3; offset++)
            {
                var encoded = Convert.ToBase64String([.. new byte[offset], .. bytes]);

                // Drop the characters that also depend on the padding bytes or on what follows the value.
                var stable = encoded[(offset == 0 ? 0 : 4)..^4];
                yield return ($"base64 of {encoding} at offset {offset}", stable);
            }
        }
    }
}
