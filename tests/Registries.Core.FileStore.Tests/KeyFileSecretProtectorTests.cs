namespace Registries.Core.FileStore.Tests;

public sealed class KeyFileSecretProtectorTests : IDisposable
{
    private readonly TestDirectory _folder = new("registries-filestore-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Protect_FirstUse_CreatesOwnerOnlyKeyFile()
    {
        var keyPath = _folder.Combine("nested/store.key");
        var protector = new KeyFileSecretProtector(keyPath);
        Assert.False(File.Exists(keyPath));

        protector.Protect(new RegistrySecret("pw"), TestContexts.Entry);

        Assert.True(File.Exists(keyPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        Assert.StartsWith("registries-core-key v1 ", File.ReadAllText(keyPath), StringComparison.Ordinal);

        // Only the key file: no temporary file is left next to it.
        Assert.Equal(["store.key"], Directory.GetFiles(_folder.Combine("nested")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("short-p4ssw0rd")]
    [InlineData("quote\"single'back\\slash:colon+plus/slash=eq blank")]
    [InlineData("Grüße Ωμέγα 日本語 \U0001F511")]
    public void Unprotect_WhatProtectReturned_GivesThePasswordBack(string password)
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));

        var protectedValue = protector.Protect(new RegistrySecret(password), TestContexts.Entry);

        Assert.Equal(password, protector.Unprotect(protectedValue, TestContexts.Entry).Reveal());
        Assert.Equal(password, new KeyFileSecretProtector(_folder.Combine("k")).Unprotect(protectedValue, TestContexts.Entry).Reveal());
        Assert.DoesNotContain(password, protectedValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Protect_SamePasswordTwice_DifferentValues()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));

        Assert.NotEqual(protector.Protect(new RegistrySecret("same"), TestContexts.Entry), protector.Protect(new RegistrySecret("same"), TestContexts.Entry));
    }

    [Fact]
    public void Unprotect_OtherKey_ThrowsRegistryStoreExceptionNamingKeyFile()
    {
        var value = new KeyFileSecretProtector(_folder.Combine("a.key")).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        var other = new KeyFileSecretProtector(_folder.Combine("b.key"));
        other.Protect(new RegistrySecret("make the key"), TestContexts.Entry);

        var error = Assert.Throws<RegistryStoreException>(() => other.Unprotect(value, TestContexts.Entry));

        Assert.Contains(_folder.Combine("b.key"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotect_TamperedValue_ThrowsRegistryStoreException()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));
        var value = protector.Protect(new RegistrySecret("password"), TestContexts.Entry);
        var payload = Convert.FromBase64String(value[(value.LastIndexOf('.') + 1)..]);
        payload[^1] ^= 1;
        var tampered = value[..(value.LastIndexOf('.') + 1)] + Convert.ToBase64String(payload);

        Assert.Throws<RegistryStoreException>(() => protector.Unprotect(tampered, TestContexts.Entry));
        Assert.Throws<RegistryStoreException>(() => protector.Unprotect("v1.abc.not*base64", TestContexts.Entry));
        Assert.Throws<RegistryStoreException>(() => protector.Unprotect("plain text", TestContexts.Entry));
        Assert.Throws<RegistryStoreException>(() => protector.Unprotect("v1.abc.AAAA", TestContexts.Entry));
    }

    [Fact]
    public void Unprotect_KeyFileMissing_ThrowsAndCreatesNoKey()
    {
        var value = new KeyFileSecretProtector(_folder.Combine("a.key")).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        var missing = _folder.Combine("missing.key");

        var error = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(missing).Unprotect(value, TestContexts.Entry));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void Protect_KeyFileReadableByOthers_Refused()
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows has no Unix mode bits: nothing to refuse there. Assert the key still works.
            var windows = new KeyFileSecretProtector(_folder.Combine("k"));
            Assert.Equal("pw", windows.Unprotect(windows.Protect(new RegistrySecret("pw"), TestContexts.Entry), TestContexts.Entry).Reveal());
            return;
        }

        var keyPath = _folder.Combine("k");
        new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry));

        Assert.Contains(keyPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("644", error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Protect_DamagedKeyFile_ThrowsRegistryStoreException()
    {
        var keyPath = _folder.Combine("k");
        File.WriteAllText(keyPath, "registries-core-key v1 dG9vIHNob3J0");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var error = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal("registries-core-key v1 dG9vIHNob3J0", File.ReadAllText(keyPath));
    }

    [Fact]
    public async Task Protect_ManyProtectorsCreateTheKeyAtOnce_AllUseOneKey()
    {
        var keyPath = _folder.Combine("k");
        var protectors = Enumerable.Range(0, 8).Select(_ => new KeyFileSecretProtector(keyPath)).ToArray();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = protectors.Select(p => Task.Run(async () =>
        {
            await start.Task;
            return p.Protect(new RegistrySecret("pw"), TestContexts.Entry);
        })).ToArray();
        start.SetResult();
        var values = await Task.WhenAll(tasks);

        // Whoever created the file, every protector can read every other one's values.
        foreach (var protector in protectors)
        {
            Assert.All(values, v => Assert.Equal("pw", protector.Unprotect(v, TestContexts.Entry).Reveal()));
        }
    }

    [Fact]
    public void Constructor_EmptyPath_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new KeyFileSecretProtector(" "));
        Assert.Throws<ArgumentNullException>(() => new KeyFileSecretProtector(null!));
    }
}
