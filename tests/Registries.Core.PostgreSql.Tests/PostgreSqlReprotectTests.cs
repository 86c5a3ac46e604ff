using System.Globalization;
using System.Text;

namespace Registries.Core.PostgreSql.Tests;

/// <summary><see cref="PostgreSqlRegistryStore.ReprotectAsync"/> and <see cref="PostgreSqlRegistryStore.ListProtectedPasswordsAsync"/>
/// against the real server: after a key rotation every entry moves to the new key, no password changes, a concurrent
/// writer loses nothing, and a failure in the middle leaves every entry decryptable.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlReprotectTests : IAsyncLifetime
{
    private const string Canary = "Canary-Pg-\"Reprotect\"-'q'-Zürich€-😀";
    private static readonly Dictionary<string, EnvironmentRole> Owner = new() { ["alice"] = EnvironmentRole.Owner };
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task ReprotectAsync_AfterRotation_MovesEveryLiveEntryToTheNewKeyAndKeepsEveryPassword()
    {
        var keys = new RotatingProtector();
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, protector: keys);
        store.ReprotectBatchSize = 3;
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, Owner);
        var added = new List<StoredRegistry>();
        for (var i = 0; i < 8; i++)
        {
            added.Add(await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse($"r{i}.example.com")), new RegistryCredential("a@example.com", "user" + i, Canary + i)));
        }

        // One entry removed: it holds no password, so there is nothing to move.
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added[7].Registry.WithState(RegistryState.Inactive), added[7].Password));
        await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));
        var before = await store.ListRegistriesAsync(environment.Id);
        Assert.All(await store.ListProtectedPasswordsAsync(), v => Assert.Equal("0", RotatingProtector.KeyOf(v)));

        keys.Rotate();
        var moved = await store.ReprotectAsync();

        Assert.Equal(7, moved);
        var values = await store.ListProtectedPasswordsAsync();
        Assert.Equal(7, values.Count);
        Assert.All(values, v => Assert.Equal("1", RotatingProtector.KeyOf(v)));

        // The old key can go: every password still reads, with the same value, version and state as before.
        keys.Retire(0);
        var after = await store.ListRegistriesAsync(environment.Id);
        Assert.Equal(before.Select(r => (r.Registry.Id, r.Registry.Version, r.Registry.State, r.Password?.Reveal())), after.Select(r => (r.Registry.Id, r.Registry.Version, r.Registry.State, r.Password?.Reveal())));
        Assert.Equal(Canary + "3", (await store.GetRegistryAsync(environment.Id, added[3].Registry.Id))!.Password!.Reveal());

        // Nothing left to do but protect again: a second run rewrites every live entry once more, and changes no password.
        Assert.Equal(7, await store.ReprotectAsync());
        Assert.Equal(Canary + "0", (await store.GetRegistryAsync(environment.Id, added[0].Registry.Id))!.Password!.Reveal());

        // The rows hold only protected values, in no readable form.
        var dump = (string)(await _database.ScalarAsync($"SELECT string_agg(row_to_json(r)::text, E'\\n') FROM {schema}.registries r"))!;
        Assert.DoesNotContain("Canary", dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))[..12], dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.Unicode.GetBytes(Canary))[..12], dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReprotectAsync_WriterEditingAlongside_LosesNoWrite()
    {
        var keys = new RotatingProtector();
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, protector: keys);
        var writerStore = _database.OpenStore(schema, protector: keys);
        store.ReprotectBatchSize = 1;
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, Owner);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse($"w{i}.example.com")), new RegistryCredential("a@example.com", "u", "start" + i))).Registry.Id);
        }

        keys.Rotate();
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var writer = Task.Run(async () =>
        {
            // Bounded: 200 edits, round-robin over the entries, each with a password of its own.
            for (var n = 0; n < 200; n++)
            {
                var id = ids[n % ids.Count];
                var password = string.Create(CultureInfo.InvariantCulture, $"edit-{n}-{Canary}");
                // Only the writer bumps versions: a conflict here would mean that the re-protect did, which it must not.
                var current = (await writerStore.GetRegistryAsync(environment.Id, id, stop.Token))!;
                await writerStore.UpdateRegistryAsync(new StoredRegistry(current.Registry.WithIdentity("a@example.com", "u"), new RegistrySecret(password)), stop.Token);
                last[id] = password;
            }
        }, stop.Token);

        var moved = 0;
        while (!writer.IsCompleted)
        {
            moved += await store.ReprotectAsync(stop.Token);
        }

        await writer;
        await store.ReprotectAsync(stop.Token);

        Assert.True(moved > 0);
        keys.Retire(0);
        foreach (var id in ids)
        {
            Assert.Equal(last[id], (await store.GetRegistryAsync(environment.Id, id))!.Password!.Reveal());
        }

        Assert.All(await store.ListProtectedPasswordsAsync(), v => Assert.Equal("1", RotatingProtector.KeyOf(v)));
    }

    [Fact]
    public async Task ReprotectAsync_FailingInTheMiddle_LeavesEveryEntryDecryptableAndARunAgainFinishes()
    {
        var keys = new RotatingProtector();
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, protector: keys);
        store.ReprotectBatchSize = 2;
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, Owner);
        for (var i = 0; i < 7; i++)
        {
            await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse($"f{i}.example.com")), new RegistryCredential("a@example.com", "u", Canary + i));
        }

        keys.Rotate();
        keys.FailAfter(5);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReprotectAsync());
        Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);

        // Two batches committed (four entries), the third rolled back: old and new keys side by side, all readable.
        var values = await store.ListProtectedPasswordsAsync();
        Assert.Equal(["1", "1", "1", "1", "0", "0", "0"], values.Select(RotatingProtector.KeyOf));
        var listed = await store.ListRegistriesAsync(environment.Id);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => Canary + i), listed.Select(r => r.Password!.Reveal()));

        keys.FailAfter(null);
        Assert.Equal(7, await store.ReprotectAsync());
        keys.Retire(0);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => Canary + i), (await store.ListRegistriesAsync(environment.Id)).Select(r => r.Password!.Reveal()));
    }

    [Fact]
    public async Task ReprotectAsync_ValueThatDoesNotDecrypt_NamesTheEntryAndShowsNoSecret()
    {
        var keys = new RotatingProtector();
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, protector: keys);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, Owner);
        var entry = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("lost.example.com")), new RegistryCredential("a@example.com", "u", Canary));
        keys.Rotate();
        keys.Retire(0);

        var e = await Assert.ThrowsAsync<RegistryStoreException>(() => store.ReprotectAsync());

        Assert.Contains(entry.Registry.Id, e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be re-protected", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReprotectAsync_CancelledToken_Throws()
    {
        var store = _database.OpenStore(_database.NewSchema());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ReprotectAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ListProtectedPasswordsAsync(cancelled.Token));
    }

    [Fact]
    public async Task ListProtectedPasswordsAsync_EmptyStore_IsEmpty()
    {
        var store = _database.OpenStore(_database.NewSchema());

        Assert.Empty(await store.ListProtectedPasswordsAsync());
        Assert.Equal(0, await store.ReprotectAsync());
    }

    // A key ring for these tests: a value is "KEYINDEX." + a test protector's value; the newest key encrypts, every key
    // not retired decrypts. FailAfter makes the n-th next Protect throw, to break a re-protect in the middle.
    private sealed class RotatingProtector : ISecretProtector
    {
        private readonly List<TestSecretProtector?> _keys = [new TestSecretProtector()];
        private readonly Lock _lock = new();
        private int? _protectsLeft;

        public static string KeyOf(string value) => value[..value.IndexOf('.', StringComparison.Ordinal)];

        public void Rotate()
        {
            lock (_lock)
            {
                _keys.Add(new TestSecretProtector());
            }
        }

        public void Retire(int index)
        {
            lock (_lock)
            {
                _keys[index] = null;
            }
        }

        public void FailAfter(int? protects)
        {
            lock (_lock)
            {
                _protectsLeft = protects;
            }
        }

        public string Protect(RegistrySecret secret, SecretContext context)
        {
            lock (_lock)
            {
                if (_protectsLeft is { } left)
                {
                    if (left == 0)
                    {
                        throw new InvalidOperationException("The test protector was told to fail here.");
                    }

                    _protectsLeft = left - 1;
                }

                return (_keys.Count - 1).ToString(CultureInfo.InvariantCulture) + "." + _keys[^1]!.Protect(secret, context);
            }
        }

        public RegistrySecret Unprotect(string protectedValue, SecretContext context)
        {
            TestSecretProtector? key;
            lock (_lock)
            {
                var index = int.Parse(KeyOf(protectedValue), CultureInfo.InvariantCulture);
                key = _keys[index];
            }

            return key is null
                ? throw new RegistryStoreException($"The key that protected the password of '{context}' was retired.")
                : key.Unprotect(protectedValue[(protectedValue.IndexOf('.', StringComparison.Ordinal) + 1)..], context);
        }
    }
}
