namespace Registries.Core.FileStore.Tests;

/// <summary>Values bound to their entry, values of the earlier format, and key rotation of the key file.</summary>
public sealed class KeyFileSecretProtectorRotationTests : IDisposable
{
    private const string Canary = "canary-R0tate-\u00e9\u00df";
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TestDirectory _folder = new("registries-keyfile-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Protect_ValueOfFormat2_BoundToItsEntry()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));

        var value = protector.Protect(new RegistrySecret(Canary), TestContexts.Entry);

        Assert.Matches("^v2\\.[0-9a-f]{8}\\.[A-Za-z0-9+/]+=*$", value);
        Assert.Equal(Canary, protector.Unprotect(value, TestContexts.Entry).Reveal());
        Assert.Equal(Canary, protector.Unprotect(value, new SecretContext("1a1", "1r2")).Reveal());
    }

    [Fact]
    public void Unprotect_AnotherEntryOrEnvironment_RefusedWithoutTheValue()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));
        var value = protector.Protect(new RegistrySecret(Canary), TestContexts.Entry);

        var otherEntry = Assert.Throws<RegistryStoreException>(() => protector.Unprotect(value, TestContexts.OtherEntry));
        var otherEnvironment = Assert.Throws<RegistryStoreException>(() => protector.Unprotect(value, TestContexts.OtherEnvironment));

        foreach (var error in new[] { otherEntry, otherEnvironment })
        {
            Assert.Contains("another entry", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value.Split('.')[2], error.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("1a1/1r3", otherEntry.Message, StringComparison.Ordinal);
        Assert.Contains("1a9/1r2", otherEnvironment.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotect_ValueOfTheEarlierFormat_StillDecrypts()
    {
        var keyPath = _folder.Combine("old.key");
        var key = LegacyFormat.WriteKeyFile(keyPath);
        var value = LegacyFormat.Protect(key, Canary);
        var protector = new KeyFileSecretProtector(keyPath);

        // Bound to no entry: it reads for whatever entry holds it, as it did before.
        Assert.Equal(Canary, protector.Unprotect(value, TestContexts.Entry).Reveal());
        Assert.Equal(Canary, protector.Unprotect(value, TestContexts.OtherEnvironment).Reveal());
        Assert.False(protector.IsCurrent(value));
        Assert.Equal(LegacyFormat.KeyId(key), KeyFileSecretProtector.GetKeyId(value));

        // New values from the old key file are bound, with the same key.
        var bound = protector.Protect(new RegistrySecret(Canary), TestContexts.Entry);
        Assert.StartsWith("v2." + LegacyFormat.KeyId(key) + ".", bound, StringComparison.Ordinal);
        Assert.True(protector.IsCurrent(bound));
    }

    [Fact]
    public async Task RotateKeyAsync_NewKeyEncrypts_OldValuesStillDecrypt()
    {
        var keyPath = _folder.Combine("k");
        var protector = new KeyFileSecretProtector(keyPath);
        var old = protector.Protect(new RegistrySecret("old-password"), TestContexts.Entry);
        var oldKey = KeyFileSecretProtector.GetKeyId(old);

        var newKey = await protector.RotateKeyAsync();

        Assert.NotEqual(oldKey, newKey);
        Assert.Equal([oldKey!, newKey], await protector.GetKeyIdsAsync());
        var fresh = protector.Protect(new RegistrySecret("new-password"), TestContexts.Entry);
        Assert.Equal(newKey, KeyFileSecretProtector.GetKeyId(fresh));
        Assert.Equal("old-password", protector.Unprotect(old, TestContexts.Entry).Reveal());
        Assert.Equal("new-password", protector.Unprotect(fresh, TestContexts.Entry).Reveal());
        Assert.False(protector.IsCurrent(old));
        Assert.True(protector.IsCurrent(fresh));

        // Another process's protector, which read the file before the rotation, follows it at once.
        var reopened = new KeyFileSecretProtector(keyPath);
        Assert.Equal("old-password", reopened.Unprotect(old, TestContexts.Entry).Reveal());
        Assert.Equal("new-password", reopened.Unprotect(fresh, TestContexts.Entry).Reveal());

        var lines = await File.ReadAllLinesAsync(keyPath);
        Assert.Equal("registries-core-keys v2", lines[0]);
        Assert.Equal(3, lines.Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(keyPath));
        }

        Assert.Equal(["k", "k.lock"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RotateKeyAsync_ByAnotherProtector_FollowedByTheNextProtect()
    {
        var keyPath = _folder.Combine("k");
        var first = new KeyFileSecretProtector(keyPath);
        first.Protect(new RegistrySecret("pw"), TestContexts.Entry);

        var newKey = await new KeyFileSecretProtector(keyPath).RotateKeyAsync();

        Assert.Equal(newKey, KeyFileSecretProtector.GetKeyId(first.Protect(new RegistrySecret("pw"), TestContexts.Entry)));
    }

    [Fact]
    public async Task RotateKeyAsync_OldOneKeyFile_KeepsItsKeyFirst()
    {
        var keyPath = _folder.Combine("old.key");
        var key = LegacyFormat.WriteKeyFile(keyPath);
        var value = LegacyFormat.Protect(key, Canary);
        var protector = new KeyFileSecretProtector(keyPath);

        var newKey = await protector.RotateKeyAsync();

        Assert.Equal([LegacyFormat.KeyId(key), newKey], await protector.GetKeyIdsAsync());
        Assert.Equal(Canary, new KeyFileSecretProtector(keyPath).Unprotect(value, TestContexts.Entry).Reveal());
    }

    [Fact]
    public async Task RotateKeyAsync_ManyAtOnce_EveryKeyKept()
    {
        var keyPath = _folder.Combine("k");
        new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry);

        var added = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => new KeyFileSecretProtector(keyPath).RotateKeyAsync())));

        var ids = await new KeyFileSecretProtector(keyPath).GetKeyIdsAsync();
        Assert.Equal(7, ids.Count);
        Assert.All(added, id => Assert.Contains(id, ids));
    }

    [Fact]
    public async Task RotateKeyAsync_NoKeyFileYet_CreatesOneAndAddsTheNewKey()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("nested/k"));
        Assert.Empty(await protector.GetKeyIdsAsync());

        var newKey = await protector.RotateKeyAsync();

        var ids = await protector.GetKeyIdsAsync();
        Assert.Equal(2, ids.Count);
        Assert.Equal(newKey, ids[^1]);
    }

    [Fact]
    public async Task RotateKeyAsync_KeyFileOpenToOthers_RefusedAndUnchanged()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.NotEmpty(await new KeyFileSecretProtector(_folder.Combine("k")).RotateKeyAsync());
            return;
        }

        var keyPath = _folder.Combine("k");
        new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        File.SetUnixFileMode(keyPath, OwnerOnly | UnixFileMode.GroupRead);
        var before = await File.ReadAllBytesAsync(keyPath);

        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).RotateKeyAsync());

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(keyPath));
    }

    [Fact]
    public async Task RotateKeyAsync_KeyFileIsAFifo_RefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.NotEmpty(await new KeyFileSecretProtector(_folder.Combine("k")).RotateKeyAsync());
            return;
        }

        var keyPath = _folder.Combine("fifo.key");
        await Processes.RunCheckedAsync("mkfifo", [keyPath]);

        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).RotateKeyAsync().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("named pipe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateKeyAsync_KeyFileIsALink_LinkKeptTargetRewritten()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.NotEmpty(await new KeyFileSecretProtector(_folder.Combine("k")).RotateKeyAsync());
            return;
        }

        var target = _folder.Combine("real.key");
        var link = _folder.Combine("link.key");
        var value = new KeyFileSecretProtector(target).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        File.CreateSymbolicLink(link, target);

        await new KeyFileSecretProtector(link).RotateKeyAsync();

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal(2, (await new KeyFileSecretProtector(target).GetKeyIdsAsync()).Count);
        Assert.Equal("pw", new KeyFileSecretProtector(target).Unprotect(value, TestContexts.Entry).Reveal());
    }

    [Fact]
    public async Task RemoveKeyAsync_KeyStillUsed_RefusedAndNothingChanged()
    {
        var keyPath = _folder.Combine("k");
        var protector = new KeyFileSecretProtector(keyPath);
        var old = protector.Protect(new RegistrySecret("pw"), TestContexts.Entry);
        await protector.RotateKeyAsync();
        var before = await File.ReadAllBytesAsync(keyPath);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => protector.RemoveKeyAsync(KeyFileSecretProtector.GetKeyId(old)!, [old]));

        Assert.Contains("still protects 1 password", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(keyPath));
        Assert.Equal("pw", protector.Unprotect(old, TestContexts.Entry).Reveal());
    }

    [Fact]
    public async Task RemoveKeyAsync_NewestOrUnknownKey_Refused()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));
        protector.Protect(new RegistrySecret("pw"), TestContexts.Entry);
        var newest = await protector.RotateKeyAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => protector.RemoveKeyAsync(newest, []));
        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => protector.RemoveKeyAsync("00000000", []));

        Assert.Contains("rotate first", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds no key 00000000", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await protector.GetKeyIdsAsync()).Count);
    }

    [Fact]
    public async Task RemoveKeyAsync_UnusedOldKey_RemovedAndItsValuesNoLongerDecrypt()
    {
        var keyPath = _folder.Combine("k");
        var protector = new KeyFileSecretProtector(keyPath);
        var old = protector.Protect(new RegistrySecret(Canary), TestContexts.Entry);
        var oldKey = KeyFileSecretProtector.GetKeyId(old)!;
        var newKey = await protector.RotateKeyAsync();
        var fresh = protector.Protect(new RegistrySecret(Canary), TestContexts.Entry);

        await protector.RemoveKeyAsync(oldKey, [fresh]);

        Assert.Equal([newKey], await protector.GetKeyIdsAsync());
        Assert.Equal(Canary, new KeyFileSecretProtector(keyPath).Unprotect(fresh, TestContexts.Entry).Reveal());
        var error = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).Unprotect(old, TestContexts.Entry));
        Assert.Contains("key " + oldKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void GetKeyId_NotAValueOfThisProtector_Null()
    {
        Assert.Null(KeyFileSecretProtector.GetKeyId(null));
        Assert.Null(KeyFileSecretProtector.GetKeyId("plain"));
        Assert.Null(KeyFileSecretProtector.GetKeyId("dp1.abc"));
        Assert.Equal("0123abcd", KeyFileSecretProtector.GetKeyId("v2.0123abcd.AAAA"));
    }
}
