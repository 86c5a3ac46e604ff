using System.Text;
using System.Text.Json.Nodes;

namespace Registries.Core.FileStore.Tests;

/// <summary>The store over a rotating key file: values bound to their entry, stores of the earlier format, re-protection and key removal.</summary>
public sealed class FileRegistryStoreKeyRotationTests : IDisposable
{
    private const string Canary = "canary-St0re-\u00e9\u00df";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _folder = new("registries-rotation-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task StoreOfTheEarlierFormat_Reads_AndEachEntryIsBoundOnItsNextWrite()
    {
        // A store file and key file as the release before bound values wrote them.
        var path = _folder.Combine("store.json");
        var key = LegacyFormat.WriteKeyFile(path + ".key");
        var legacyA = LegacyFormat.Protect(key, Canary + "-a");
        var legacyB = LegacyFormat.Protect(key, Canary + "-b");
        await File.WriteAllTextAsync(path, $$"""
            {
              "formatVersion": 1,
              "sequence": 3,
              "environments": [ { "id": "1a1", "name": "prod", "orchestration": "Cattle", "members": { "alice": "Owner" }, "version": 1 } ],
              "registries": [
                { "id": "1r2", "environmentId": "1a1", "address": "a.example.com", "state": "Active", "email": "a@example.com", "username": "a", "sequence": 2, "version": 1, "protectedPassword": "{{legacyA}}" },
                { "id": "1r3", "environmentId": "1a1", "address": "b.example.com", "state": "Active", "email": "b@example.com", "username": "b", "sequence": 3, "version": 1, "protectedPassword": "{{legacyB}}" }
              ]
            }
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var store = FileRegistryStore.Open(path);

        var a = await store.GetRegistryAsync("1a1", "1r2");
        Assert.Equal(Canary + "-a", a!.Password!.Reveal());
        Assert.Equal(Canary + "-b", (await store.GetRegistryAsync("1a1", "1r3"))!.Password!.Reveal());

        // Deactivating keeps the password, and rewrites its value bound (same key), the other entry untouched.
        await store.UpdateRegistryAsync(new StoredRegistry(a.Registry.WithState(RegistryState.Inactive), a.Password));
        var values = ProtectedPasswords(await File.ReadAllTextAsync(path));
        Assert.StartsWith("v2." + LegacyFormat.KeyId(key) + ".", values["1r2"], StringComparison.Ordinal);
        Assert.Equal(legacyB, values["1r3"]);
        Assert.Equal(Canary + "-a", (await FileRegistryStore.Open(path).GetRegistryAsync("1a1", "1r2"))!.Password!.Reveal());

        // The re-protect step binds the rest at once.
        Assert.Equal(1, await store.ReprotectAsync());
        values = ProtectedPasswords(await File.ReadAllTextAsync(path));
        Assert.All(values.Values, v => Assert.StartsWith("v2." + LegacyFormat.KeyId(key) + ".", v, StringComparison.Ordinal));
        Assert.Equal(Canary + "-b", (await FileRegistryStore.Open(path).GetRegistryAsync("1a1", "1r3"))!.Password!.Reveal());
        Assert.Equal(0, await store.ReprotectAsync());
    }

    [Fact]
    public async Task CiphertextCopiedOntoAnotherEntry_DoesNotDecrypt()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        var victim = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("a.example.com")), new RegistryCredential("a@example.com", "a", Canary));
        var attacker = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("evil.example.com")), new RegistryCredential("e@example.com", "e", "attacker-password"));

        // Someone with write access to the file (not the key) moves the victim's ciphertext onto their own entry.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var registries = json["registries"]!.AsArray();
        var victimValue = (string)registries.First(r => (string)r!["id"]! == victim.Registry.Id)!["protectedPassword"]!;
        registries.First(r => (string)r!["id"]! == attacker.Registry.Id)!["protectedPassword"] = victimValue;
        await File.WriteAllTextAsync(path, json.ToJsonString());

        // Both the same store object (whose cache knows the victim's value) and a fresh one refuse it.
        foreach (var reader in new[] { store, FileRegistryStore.Open(path) })
        {
            var error = await Assert.ThrowsAsync<RegistryStoreException>(async () => await reader.GetRegistryAsync(environment.Id, attacker.Registry.Id));
            Assert.Contains("another entry", error.Message, StringComparison.Ordinal);
            Assert.Contains(environment.Id + "/" + attacker.Registry.Id, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(victimValue, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RotateThenReprotect_EveryEntryMovesToTheNewKey_OldKeyRemovable()
    {
        var path = _folder.Combine("store.json");
        var keys = new KeyFileSecretProtector(path + ".key");
        var store = FileStores.Over(path, keys);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = new List<StoredRegistry>();
        for (var i = 0; i < 5; i++)
        {
            added.Add(await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse($"r{i}.example.com")), new RegistryCredential("o@example.com", "o", Canary + i)));
        }

        var removed = await store.UpdateRegistryAsync(new StoredRegistry(added[4].Registry.WithState(RegistryState.Inactive), added[4].Password));
        await store.UpdateRegistryAsync(new StoredRegistry(removed.Registry.WithState(RegistryState.Removed), null));
        var oldKey = (await keys.GetKeyIdsAsync()).Single();

        var newKey = await keys.RotateKeyAsync();

        // Old values still read; a new entry uses the new key.
        var reader = FileRegistryStore.Open(path);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Canary + i, (await reader.GetRegistryAsync(environment.Id, added[i].Registry.Id))!.Password!.Reveal());
        }

        var fresh = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("fresh.example.com")), new RegistryCredential("o@example.com", "o", Canary + "fresh"));
        Assert.Equal(newKey, KeyFileSecretProtector.GetKeyId(ProtectedPasswords(await File.ReadAllTextAsync(path))[fresh.Registry.Id]));
        var versions = (await store.ListRegistriesAsync(environment.Id)).ToDictionary(r => r.Registry.Id, r => r.Registry.Version, StringComparer.Ordinal);

        var moved = await store.ReprotectAsync();

        Assert.Equal(4, moved);
        var values = ProtectedPasswords(await File.ReadAllTextAsync(path));
        Assert.Equal(5, values.Count);
        Assert.All(values.Values, v => Assert.Equal(newKey, KeyFileSecretProtector.GetKeyId(v)));
        Assert.DoesNotContain(oldKey, await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Equal(0, await store.ReprotectAsync());

        // Nothing else changed: same versions (no writer gets a conflict), same passwords.
        var after = await FileRegistryStore.Open(path).ListRegistriesAsync(environment.Id);
        Assert.Equal(versions, after.ToDictionary(r => r.Registry.Id, r => r.Registry.Version, StringComparer.Ordinal));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Canary + i, after.Single(r => r.Registry.Id == added[i].Registry.Id).Password!.Reveal());
        }

        await store.RemoveKeyAsync(oldKey);
        Assert.Equal([newKey], await keys.GetKeyIdsAsync());
        Assert.Equal(Canary + "0", (await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added[0].Registry.Id))!.Password!.Reveal());
    }

    [Fact]
    public async Task RemoveKeyAsync_AnEntryStillUsesTheKey_RefusedAndNothingChanged()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var keys = new KeyFileSecretProtector(path + ".key");
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var entry = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("a.example.com")), new RegistryCredential("a@example.com", "a", Canary));
        var oldKey = (await keys.GetKeyIdsAsync()).Single();
        await keys.RotateKeyAsync();
        var keyFile = await File.ReadAllBytesAsync(path + ".key");
        var storeFile = await File.ReadAllBytesAsync(path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.RemoveKeyAsync(oldKey));

        Assert.Contains(oldKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("ReprotectAsync", error.Message, StringComparison.Ordinal);
        Assert.Equal(keyFile, await File.ReadAllBytesAsync(path + ".key"));
        Assert.Equal(storeFile, await File.ReadAllBytesAsync(path));
        Assert.Equal(Canary, (await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, entry.Registry.Id))!.Password!.Reveal());
    }

    [Fact]
    public async Task RemoveKeyAsync_StoreWithAnotherProtector_Refused()
    {
        var store = FileStores.Over(_folder.Combine("store.json"), new OtherProtector());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.RemoveKeyAsync("0123abcd"));

        Assert.Contains(nameof(OtherProtector), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReprotectAsync_OtherProtector_EveryPasswordProtectedAnewAndBound()
    {
        var path = _folder.Combine("store.json");
        var protector = new OtherProtector();
        var store = FileStores.Over(path, protector);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var entry = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("a.example.com")), new RegistryCredential("a@example.com", "a", Canary));
        var before = protector.Protected;

        Assert.Equal(1, await store.ReprotectAsync());

        Assert.Equal(before + 1, protector.Protected);
        Assert.Equal([new SecretContext(environment.Id, entry.Registry.Id)], protector.Contexts.Distinct());
        Assert.Equal(Canary, (await FileStores.Over(path, protector).GetRegistryAsync(environment.Id, entry.Registry.Id))!.Password!.Reveal());
    }

    [Fact]
    public async Task ReprotectKilledMidway_Repeatedly_OldOrNewDocumentEveryPasswordReads()
    {
        const int Rounds = 3;
        const int Entries = 12;
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("rotate", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Entries; i++)
        {
            var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse($"r{i}.example.com")), new RegistryCredential("o@example.com", "o", Canary + i));
            passwords[added.Registry.Id] = Canary + i;
        }

        var random = new Random(1515);
        for (var round = 0; round < Rounds; round++)
        {
            // Killed (SIGKILL) at a random moment while it rotates and re-protects in a loop.
            await using (var worker = Worker.Start("rotate", path))
            {
                await worker.WaitForLinesAsync(random.Next(2, 9), Timeout);
                await worker.KillAsync();
            }

            // One document: every value under one key (all moved or none), every password intact.
            var reader = FileRegistryStore.Open(path);
            var values = ProtectedPasswords(await File.ReadAllTextAsync(path));
            Assert.Equal(Entries, values.Count);
            Assert.Single(values.Values.Select(KeyFileSecretProtector.GetKeyId).Distinct());
            foreach (var (id, password) in passwords)
            {
                Assert.Equal(password, (await reader.GetRegistryAsync(environment.Id, id))!.Password!.Reveal());
            }

            // The key file is whole and still holds the key in use.
            var keys = await new KeyFileSecretProtector(path + ".key").GetKeyIdsAsync();
            Assert.Contains(KeyFileSecretProtector.GetKeyId(values.Values.First()), keys);
        }

        // Afterwards the store moves everything to the newest key and takes writes; no temporary file is left once written.
        Assert.InRange(await FileRegistryStore.Open(path).ReprotectAsync(), 0, Entries);
        var newest = (await new KeyFileSecretProtector(path + ".key").GetKeyIdsAsync())[^1];
        Assert.All(ProtectedPasswords(await File.ReadAllTextAsync(path)).Values, v => Assert.Equal(newest, KeyFileSecretProtector.GetKeyId(v)));
        await new KeyFileSecretProtector(path + ".key").RotateKeyAsync();
        Assert.Empty(Directory.GetFiles(_folder.Path, ".store.json*.tmp"));
        var files = Directory.GetFiles(_folder.Path).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f)));
        Assert.All(files, text => Assert.DoesNotContain("canary", text, StringComparison.OrdinalIgnoreCase));
    }

    private static Dictionary<string, string> ProtectedPasswords(string json)
        => JsonNode.Parse(json)!["registries"]!.AsArray()
            .Where(r => r!["protectedPassword"] is not null)
            .ToDictionary(r => (string)r!["id"]!, r => (string)r!["protectedPassword"]!, StringComparer.Ordinal);

    /// <summary>A protector that is not the key file's: reversible on purpose, bound to its context, and counting.</summary>
    private sealed class OtherProtector : ISecretProtector
    {
        private readonly List<SecretContext> _contexts = [];

        public int Protected { get; private set; }

        public IReadOnlyList<SecretContext> Contexts => _contexts;

        public string Protect(RegistrySecret secret, SecretContext context)
        {
            Protected++;
            _contexts.Add(context);

            // Reversed and hex: not the password in clear nor in base64, and good enough for a test of the store.
            return context.Purpose.Length + ":" + Convert.ToHexString(Encoding.UTF8.GetBytes(context.Purpose + new string(secret.Reveal().Reverse().ToArray())));
        }

        public RegistrySecret Unprotect(string protectedValue, SecretContext context)
        {
            var text = Encoding.UTF8.GetString(Convert.FromHexString(protectedValue[(protectedValue.IndexOf(':', StringComparison.Ordinal) + 1)..]));
            return text.StartsWith(context.Purpose, StringComparison.Ordinal)
                ? new RegistrySecret(new string(text[context.Purpose.Length..].Reverse().ToArray()))
                : throw new RegistryStoreException("Another entry's value.");
        }
    }
}
