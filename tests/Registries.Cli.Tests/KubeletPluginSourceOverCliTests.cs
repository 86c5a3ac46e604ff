using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.Interop;
using Registries.Core.Sources;

namespace Registries.Cli.Tests;

/// <summary>Our own <c>registries kubelet-credential-provider</c> as the kubelet plugin of another installation: the
/// plugin source runs the real program over a file store with an entry, configured by a CredentialProviderConfig file as
/// a kubelet's would be.</summary>
[Trait("Category", "Integration")]
public sealed class KubeletPluginSourceOverCliTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("credentialprovider.kubelet.k8s.io/v1")]
    [InlineData("credentialprovider.kubelet.k8s.io/v1beta1")]
    public async Task FetchAsync_OurProviderAsThePlugin_GivesTheEntrysCredentialForItsCacheDuration(string apiVersion)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = _cli.Combine("plugins");
        Directory.CreateDirectory(bin);
        File.SetUnixFileMode(bin, (UnixFileMode)Convert.ToInt32("755", 8));
        var (program, arguments) = RegistriesCli.Command(["kubelet-credential-provider", "prod", "--cache-duration", "2m"]);
        var plugin = Path.Combine(bin, "registries-provider");
        await File.WriteAllTextAsync(plugin, $"#!/bin/sh\nREGISTRIES_STORE='{_cli.StorePath}' REGISTRIES_USER=bob exec '{program}' {string.Join(' ', arguments.Select(a => "'" + a + "'"))}\n");
        File.SetUnixFileMode(plugin, (UnixFileMode)Convert.ToInt32("755", 8));
        var config = _cli.Combine("credential-provider-config.yaml");
        await File.WriteAllTextAsync(config, $"""
            apiVersion: kubelet.config.k8s.io/v1
            kind: CredentialProviderConfig
            providers:
              - name: registries-provider
                matchImages:
                  - "registry.example.com:5000"
                defaultCacheDuration: 10m
                apiVersion: {apiVersion}
            """);
        var now = DateTimeOffset.UtcNow;
        var source = new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = config, BinDirectory = bin, Timeout = TimeSpan.FromSeconds(90) }));
        var image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");
        var entry = new Registry("9r9", "9a9", image.Address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.KubeletPlugin("registries-provider"));

        var credential = await source.FetchAsync(new CredentialSourceRequest(entry, image.Address, image, null), default);

        Assert.NotNull(credential);
        Assert.Equal("deployer", credential.Username);
        Assert.Equal(SeededStore.Canary, credential.Secret.Reveal());
        Assert.Equal(CredentialCacheScope.Registry, credential.CacheScope);
        Assert.InRange(credential.ExpiresAt!.Value, now + TimeSpan.FromMinutes(2), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task FetchAsync_OurProviderDenies_FailureWithItsReason()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = _cli.Combine("plugins");
        Directory.CreateDirectory(bin);
        File.SetUnixFileMode(bin, (UnixFileMode)Convert.ToInt32("755", 8));
        var (program, arguments) = RegistriesCli.Command(["kubelet-credential-provider", "prod"]);
        var plugin = Path.Combine(bin, "registries-provider");
        await File.WriteAllTextAsync(plugin, $"#!/bin/sh\nREGISTRIES_STORE='{_cli.StorePath}' REGISTRIES_USER=alice exec '{program}' {string.Join(' ', arguments.Select(a => "'" + a + "'"))}\n");
        File.SetUnixFileMode(plugin, (UnixFileMode)Convert.ToInt32("755", 8));
        var config = _cli.Combine("config.json");
        await File.WriteAllTextAsync(config, """
            {"apiVersion": "kubelet.config.k8s.io/v1", "kind": "CredentialProviderConfig", "providers": [
              {"name": "registries-provider", "matchImages": ["quay.io"], "defaultCacheDuration": "1m", "apiVersion": "credentialprovider.kubelet.k8s.io/v1"}]}
            """);
        var source = new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = config, BinDirectory = bin, Timeout = TimeSpan.FromSeconds(90) }));
        var image = ImageReference.Parse("quay.io/team/app:1");
        var entry = new Registry("9r9", "9a9", image.Address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.KubeletPlugin("registries-provider"));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(new CredentialSourceRequest(entry, image.Address, image, null), default));

        Assert.Contains("exit code 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("denied", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", ex.Message, StringComparison.Ordinal);
    }
}
