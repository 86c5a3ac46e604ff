using System.Text;
using System.Text.Json;
using Registries.Core.Sources;

namespace Registries.Core.Interop.Tests;

/// <summary>Where a fetched credential leaves the library (the kubelet's answer, the exported files): what each place
/// can carry, how long it says the credential lasts, and what it refuses.</summary>
public sealed class SourcedCredentialsLeavingTests
{
    private const string Canary = "CANARY-token:/+=é";
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly ImageReference Image = ImageReference.Parse("registry.example.com/team/app:1");

    [Theory]
    [InlineData(null, 300, 300)]
    [InlineData(3600.0, 300, 300)]
    [InlineData(120.9, 300, 120)]
    [InlineData(0.5, 300, 0)]
    [InlineData(-10.0, 300, 0)]
    public void CacheDurationFor_IsNeverLongerThanTheCredentialsRemainingLife(double? leftSeconds, int configuredSeconds, int expectedSeconds)
    {
        var resolution = Authenticated(CredentialSecretKind.Password, leftSeconds is { } s ? Now.AddSeconds(s) : null);

        var duration = KubeletCredentialProvider.CacheDurationFor(resolution, TimeSpan.FromSeconds(configuredSeconds), Now);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), duration);
    }

    [Fact]
    public void KubeletResponse_ShortLivedPassword_SaysItsRemainingLifeAndZeroMeansDoNotCache()
    {
        var request = KubeletCredentialRequest.For(Image);
        var resolution = Authenticated(CredentialSecretKind.Password, Now.AddSeconds(42));

        var json = new KubeletCredentialResponse(request, resolution, "registry.example.com", KubeletCredentialProvider.CacheDurationFor(resolution, TimeSpan.FromMinutes(5), Now)).ToJson();
        var zero = new KubeletCredentialResponse(request, resolution, "registry.example.com", TimeSpan.Zero).ToJson();

        Assert.Equal("42s", JsonDocument.Parse(json).RootElement.GetProperty("cacheDuration").GetString());
        Assert.Equal("0s", JsonDocument.Parse(zero).RootElement.GetProperty("cacheDuration").GetString());
    }

    [Theory]
    [InlineData(CredentialSecretKind.IdentityToken, "an identity token")]
    [InlineData(CredentialSecretKind.RegistryToken, "a registry access token")]
    public void KubeletResponse_Refusal_HasNoDocument(CredentialSecretKind kind, string what)
    {
        var request = KubeletCredentialRequest.For(Image);
        var resolution = Authenticated(kind, Now.AddMinutes(5));
        var response = new KubeletCredentialResponse(request, resolution, "registry.example.com", TimeSpan.FromMinutes(1), refusal: null);
        var refused = new KubeletCredentialResponse(request, resolution, "registry.example.com", TimeSpan.FromMinutes(1), refusal: $"the credential is {what}");

        Assert.True(response.HasDocument);
        Assert.False(refused.HasDocument);
        Assert.Throws<InvalidOperationException>(() => refused.ToJson());
        Assert.DoesNotContain(Canary, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void KubeletResponse_Unavailable_HasNoDocumentWithTheReason()
    {
        var request = KubeletCredentialRequest.For(Image);
        var resolution = CredentialResolution.Unavailable(Image, Image.Address, Entry(), "the token realm refused the token");

        var response = new KubeletCredentialResponse(request, resolution, "registry.example.com", TimeSpan.FromMinutes(1));

        Assert.False(response.HasDocument);
        Assert.Equal("the token realm refused the token", response.Refusal);
        Assert.Contains("unavailable", response.ToString(), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => response.ToJson());
    }

    [Fact]
    public void Export_IdentityToken_WrittenInIdentityTokenFieldsAndLeftOutOfTheKubernetesSecretWithANote()
    {
        var export = Export(new ExportedCredential(RegistryScope.Of(Image.Address), "deployer", "ops@example.com", new RegistrySecret(Canary), CredentialSecretKind.IdentityToken));

        var docker = JsonDocument.Parse(export.ToDockerConfigJson()).RootElement.GetProperty("auths").GetProperty("registry.example.com");
        var containers = JsonDocument.Parse(export.ToContainersAuthJson()).RootElement.GetProperty("auths").GetProperty("registry.example.com");
        var kubernetes = JsonDocument.Parse(export.ToKubernetesSecretJson("pull")).RootElement.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!;

        Assert.Equal(Canary, docker.GetProperty("identitytoken").GetString());
        Assert.Equal("deployer:", Encoding.UTF8.GetString(Convert.FromBase64String(docker.GetProperty("auth").GetString()!)));
        Assert.Equal(Canary, containers.GetProperty("identitytoken").GetString());
        Assert.DoesNotContain("registry.example.com", Encoding.UTF8.GetString(Convert.FromBase64String(kubernetes)), StringComparison.Ordinal);
        Assert.Contains(export.GetNotes(DockerConfigFormat.Kubernetes), n => n.Contains("an identity token", StringComparison.Ordinal));
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.Kubernetes));
        export.EnsureExpressible(DockerConfigFormat.Docker);
        Assert.All(export.GetNotes(DockerConfigFormat.Kubernetes), n => Assert.DoesNotContain(Canary, n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_IdentityToken_K3sWritesIdentityToken()
    {
        var export = Export(new ExportedCredential(RegistryScope.Of(Image.Address), "deployer", "ops@example.com", new RegistrySecret("tok-1"), CredentialSecretKind.IdentityToken));

        var yaml = await export.ToK3sRegistriesYamlAsync();

        Assert.Contains("identity_token: ", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("password:", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_ExpiringCredential_WrittenWithANoteThatSaysWhenAndRefusedWhenStrict()
    {
        var export = Export(new ExportedCredential(RegistryScope.Of(Image.Address), "robot", "ops@example.com", new RegistrySecret("pw"), CredentialSecretKind.Password, Now.AddHours(3)));

        Assert.Contains("registry.example.com", export.ToDockerConfigJson(), StringComparison.Ordinal);
        foreach (var format in Enum.GetValues<DockerConfigFormat>().Where(f => f != DockerConfigFormat.DockerDaemon))
        {
            Assert.Contains(export.GetNotes(format), n => n.Contains("expires at 2026-12-05 15:00:00Z", StringComparison.Ordinal) && n.Contains("cannot renew itself", StringComparison.Ordinal));
            var refused = Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(format));
            Assert.Contains("expires at", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Export_UnavailableEntry_NotedAndRefusedWhenStrictNeverWrittenAsAnonymous()
    {
        var export = new DockerConfigExport([], [], null, [(RegistryScope.Of(Image.Address), "the helper failed")]);

        Assert.DoesNotContain("registry.example.com", export.ToDockerConfigJson(), StringComparison.Ordinal);
        foreach (var format in Enum.GetValues<DockerConfigFormat>().Where(f => f != DockerConfigFormat.DockerDaemon))
        {
            Assert.Contains(export.GetNotes(format), n => n.Contains("unavailable (the helper failed)", StringComparison.Ordinal));
            Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(format));
        }
    }

    [Fact]
    public void Export_RegistryToken_IsInNoFormat()
    {
        var export = Export(new ExportedCredential(RegistryScope.Of(Image.Address), "deployer", "ops@example.com", new RegistrySecret(Canary), CredentialSecretKind.RegistryToken, Now.AddMinutes(5)));

        Assert.DoesNotContain(Canary, export.ToDockerConfigJson(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, export.ToContainersAuthJson(), StringComparison.Ordinal);
        Assert.Contains(export.GetNotes(DockerConfigFormat.Docker), n => n.Contains("a registry access token", StringComparison.Ordinal));
    }

    private static DockerConfigExport Export(ExportedCredential credential) => new([credential], []);

    private static Registry Entry() => new("reg-1", "env-1", Image.Address, RegistryState.Active, "ops@example.com", "deployer", 1, 1, CredentialSource.IdentityToken);

    private static CredentialResolution Authenticated(CredentialSecretKind kind, DateTimeOffset? expiresAt)
        => CredentialResolution.Authenticated(Image, Image.Address, Entry(), new SourcedCredential("deployer", new RegistrySecret(Canary), kind, expiresAt, CredentialCacheScope.Image));
}
