using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.FileStore;

namespace Registries.Core.DataProtection.Tests;

public sealed class DataProtectionSecretProtectorTests : IDisposable
{
    private const string Canary = "canary-D4taProt-\u00e9\u00df\"'\\:+/=";
    private static readonly SecretContext Entry = new("1a1", "1r2");
    private readonly TestDirectory _folder = new("registries-dataprotection-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TwoInstances_SharedKeyRingAndName_EachDecryptsWhatTheOtherWrote()
    {
        var keys = _folder.Combine("keys");
        using var first = Instances.Start(keys);
        using var second = Instances.Start(keys);

        var fromFirst = first.Protector().Protect(new RegistrySecret(Canary + "1"), Entry);
        var fromSecond = second.Protector().Protect(new RegistrySecret(Canary + "2"), Entry);

        Assert.StartsWith("dp1.", fromFirst, StringComparison.Ordinal);
        Assert.Equal(Canary + "1", second.Protector().Unprotect(fromFirst, Entry).Reveal());
        Assert.Equal(Canary + "2", first.Protector().Unprotect(fromSecond, Entry).Reveal());
        Assert.NotEqual(fromFirst, first.Protector().Protect(new RegistrySecret(Canary + "1"), Entry));
    }

    [Fact]
    public void Unprotect_AnotherApplicationName_ClearErrorWithoutTheValue()
    {
        var keys = _folder.Combine("keys");
        using var first = Instances.Start(keys, "platform-a");
        using var other = Instances.Start(keys, "platform-b");
        var value = first.Protector().Protect(new RegistrySecret(Canary), Entry);

        var error = Assert.Throws<RegistryStoreException>(() => other.Protector().Unprotect(value, Entry));

        AssertOneLineWithoutSecret(error, value);
        Assert.Contains("application name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotect_AnotherKeyRing_ClearError()
    {
        using var first = Instances.Start(_folder.Combine("keys-a"));
        using var other = Instances.Start(_folder.Combine("keys-b"));
        var value = first.Protector().Protect(new RegistrySecret(Canary), Entry);

        var error = Assert.Throws<RegistryStoreException>(() => other.Protector().Unprotect(value, Entry));

        AssertOneLineWithoutSecret(error, value);
        Assert.Contains("share one key ring", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotect_AnotherEntryOrEnvironment_Refused()
    {
        using var instance = Instances.Start(_folder.Combine("keys"));
        var value = instance.Protector().Protect(new RegistrySecret(Canary), Entry);

        var otherEntry = Assert.Throws<RegistryStoreException>(() => instance.Protector().Unprotect(value, new SecretContext("1a1", "1r3")));
        var otherEnvironment = Assert.Throws<RegistryStoreException>(() => instance.Protector().Unprotect(value, new SecretContext("1a9", "1r2")));

        AssertOneLineWithoutSecret(otherEntry, value);
        AssertOneLineWithoutSecret(otherEnvironment, value);
        Assert.Contains("1a1/1r3", otherEntry.Message, StringComparison.Ordinal);
        Assert.Contains("another entry", otherEntry.Message, StringComparison.Ordinal);
        Assert.Equal(Canary, instance.Protector().Unprotect(value, new SecretContext("1a1", "1r2")).Reveal());
    }

    [Fact]
    public void Rotation_NewDefaultKeyEncrypts_OldValuesStillDecrypt_RevokedKeysRefused()
    {
        var keys = _folder.Combine("keys");
        using var instance = Instances.Start(keys);
        var protector = instance.Protector();
        var old = protector.Protect(new RegistrySecret(Canary + "old"), Entry);
        var manager = instance.GetRequiredService<IKeyManager>();

        var newKey = manager.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));

        // An instance that reads the ring after the rotation encrypts with the new default key; the old value still reads everywhere.
        string fresh;
        using (var restarted = Instances.Start(keys))
        {
            fresh = restarted.Protector().Protect(new RegistrySecret(Canary + "new"), Entry);
            Assert.Equal(newKey.KeyId, KeyIdOf(fresh));
            Assert.NotEqual(KeyIdOf(old), KeyIdOf(fresh));
            Assert.Equal(Canary + "old", restarted.Protector().Unprotect(old, Entry).Reveal());
        }

        Assert.Equal(Canary + "old", protector.Unprotect(old, Entry).Reveal());
        Assert.Equal(Canary + "new", protector.Unprotect(fresh, Entry).Reveal());

        manager.RevokeAllKeys(DateTimeOffset.UtcNow, "test: compromised");

        // An instance that reads the ring after the revocation refuses every value of a revoked key, saying so
        // (a running instance learns of it when Data Protection refreshes its key ring).
        using var afterRevocation = Instances.Start(keys);
        foreach (var value in new[] { old, fresh })
        {
            var error = Assert.Throws<RegistryStoreException>(() => afterRevocation.Protector().Unprotect(value, Entry));
            AssertOneLineWithoutSecret(error, value);
            Assert.Contains("revoked", error.Message, StringComparison.Ordinal);
            Assert.Contains("enter the password again", error.Message, StringComparison.Ordinal);
        }

        // New values get a new, unrevoked key.
        var afterwards = afterRevocation.Protector().Protect(new RegistrySecret(Canary), Entry);
        Assert.Equal(Canary, afterRevocation.Protector().Unprotect(afterwards, Entry).Reveal());
    }

    [Fact]
    public void Unprotect_DamagedOrForeignValue_ClearError()
    {
        using var instance = Instances.Start(_folder.Combine("keys"));
        var protector = instance.Protector();
        var value = protector.Protect(new RegistrySecret(Canary), Entry);
        var payload = Base64Url.DecodeFromChars(value.AsSpan(4));
        payload[^1] ^= 1;

        var tampered = Assert.Throws<RegistryStoreException>(() => protector.Unprotect("dp1." + Base64Url.EncodeToString(payload), Entry));
        var notBase64 = Assert.Throws<RegistryStoreException>(() => protector.Unprotect("dp1.*not*", Entry));
        var keyFile = Assert.Throws<RegistryStoreException>(() => protector.Unprotect("v2.0123abcd.AAAA", Entry));

        AssertOneLineWithoutSecret(tampered, value);
        Assert.Contains("damaged", notBase64.Message, StringComparison.Ordinal);
        Assert.Contains("another protector", keyFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileStoreOverDataProtection_CanaryNeverInKeyFolderOrStoreFile()
    {
        var keys = _folder.Combine("keys");
        var path = _folder.Combine("store.json");
        using var instance = Instances.Start(keys);
        var store = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), instance.Protector());
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("r.example.com")), new RegistryCredential("ops@example.com", "ops", Canary));
        using (var second = Instances.Start(keys))
        {
            var reader = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), second.Protector());
            Assert.Equal(Canary, (await reader.GetRegistryAsync(environment.Id, added.Registry.Id))!.Password!.Reveal());
        }

        var forbidden = new[]
        {
            Encoding.UTF8.GetBytes(Canary),
            Encoding.Unicode.GetBytes(Canary),
            Encoding.BigEndianUnicode.GetBytes(Canary),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.Unicode.GetBytes(Canary))),
            Encoding.UTF8.GetBytes(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Canary))),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))[..16]),
        };
        var files = Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories);
        Assert.Contains(path, files);
        Assert.Contains(files, f => f.StartsWith(keys, StringComparison.Ordinal) && f.EndsWith(".xml", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var pattern in forbidden)
            {
                Assert.True(bytes.AsSpan().IndexOf(pattern) < 0, $"'{file}' contains the password or an encoding of it.");
            }
        }

        Assert.DoesNotContain("canary", await File.ReadAllTextAsync(path), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FileStoreReprotectAsync_AfterANewDefaultKey_EveryEntryMovesToIt()
    {
        var keys = _folder.Combine("keys");
        var path = _folder.Combine("store.json");
        string environmentId;
        var ids = new List<string>();
        using (var before = Instances.Start(keys))
        {
            var store = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), before.Protector());
            environmentId = (await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())).Id;
            for (var i = 0; i < 3; i++)
            {
                ids.Add((await store.AddRegistryAsync(environmentId, RegistryScope.Of(RegistryAddress.Parse($"r{i}.example.com")), new RegistryCredential("o@example.com", "o", Canary + i))).Registry.Id);
            }

            before.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        }

        using var after = Instances.Start(keys);
        var newKey = after.GetRequiredService<IKeyManager>().GetAllKeys().MaxBy(k => k.ActivationDate)!.KeyId;
        var rotated = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), after.Protector());

        Assert.Equal(3, await rotated.ReprotectAsync());

        var values = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(path))!["registries"]!.AsArray().Select(r => (string)r!["protectedPassword"]!).ToList();
        Assert.All(values, v => Assert.Equal(newKey, KeyIdOf(v)));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Canary + i, (await rotated.GetRegistryAsync(environmentId, ids[i]))!.Password!.Reveal());
        }
    }

    [Fact]
    public void Constructor_NullProvider_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new DataProtectionSecretProtector(null!));
        using var instance = Instances.Start(_folder.Combine("keys"));
        Assert.Throws<ArgumentNullException>(() => instance.Protector().Protect(null!, Entry));
        Assert.Throws<ArgumentNullException>(() => instance.Protector().Protect(new RegistrySecret("pw"), null!));
        Assert.Throws<ArgumentNullException>(() => instance.Protector().Unprotect(null!, Entry));
    }

    // Data Protection's payload: a 4-byte magic header, then the id of the key that protected it.
    private static Guid KeyIdOf(string value) => new(Base64Url.DecodeFromChars(value.AsSpan(4)).AsSpan(4, 16));

    private static void AssertOneLineWithoutSecret(RegistryStoreException error, string value)
    {
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value[4..], error.ToString(), StringComparison.Ordinal);
    }
}
