using System.Net;
using System.Net.Sockets;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Verification against the real distribution registry (htpasswd Basic auth, TLS from the test CA).</summary>
[Trait("Category", "Integration")]
public sealed class RegistryCredentialVerifierIntegrationTests : IDisposable
{
    private readonly TestServices _services = TestServices.Require();
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task VerifyAsync_RightPassword_Valid()
    {
        var result = await TrustingVerifier().VerifyAsync(Registry, Credential(_services.User, _services.Password));

        Assert.Equal(RegistryVerificationOutcome.Valid, result.Outcome);
        Assert.Contains(_services.User, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_SymbolPassword_Valid()
    {
        var result = await TrustingVerifier().VerifyAsync(Registry, Credential(_services.SymbolUser, _services.SymbolPassword));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task VerifyAsync_WrongPassword_InvalidWithTheRegistrysMessage()
    {
        const string canary = "CANARY-wrong-1";

        var result = await TrustingVerifier().VerifyAsync(Registry, Credential(_services.User, canary));

        Assert.Equal(RegistryVerificationOutcome.Invalid, result.Outcome);
        Assert.Contains("UNAUTHORIZED", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_NothingListening_Unreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await TrustingVerifier().VerifyAsync(RegistryAddress.Parse($"127.0.0.1:{port}"), Credential(_services.User, _services.Password));

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains($"127.0.0.1:{port}", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_CaNotTrusted_UnreachableNamingTheCertsDFolder()
    {
        var options = new RegistryVerificationOptions { CertificatesDirectory = _directory.Combine("empty-certs.d") };

        var result = await Domain.Verifier(options).VerifyAsync(Registry, Credential(_services.User, _services.Password));

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains(Path.Combine(options.CertificatesDirectory, _services.Registry, "ca.crt"), result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_SecureRegistryTrustedThroughCertsD_ValidAndUntrustedWithout()
    {
        var secure = _services.RequireSecureRegistry();
        var address = RegistryAddress.Parse(secure);
        var trusted = Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, secure) });
        var untrusted = Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.Combine("none") });

        var valid = await trusted.VerifyAsync(address, Credential(_services.User, _services.Password));
        var unknownAuthority = await untrusted.VerifyAsync(address, Credential(_services.User, _services.Password));

        Assert.True(valid.IsValid, valid.Message);
        Assert.Equal(RegistryVerificationOutcome.Unreachable, unknownAuthority.Outcome);
        Assert.Contains("not trusted", unknownAuthority.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_InsecureRegistry_SkipsCertificateChecksAsDockerDoes()
    {
        var options = new RegistryVerificationOptions { CertificatesDirectory = _directory.Combine("empty-certs.d") };
        options.InsecureRegistries.Add(Registry);

        var result = await Domain.Verifier(options).VerifyAsync(Registry, Credential(_services.User, _services.Password));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task AddVerifiedRegistryAsync_Valid_Adds()
    {
        var domain = await Domain.CreateAsync();

        var added = await domain.Service.AddVerifiedRegistryAsync(TrustingVerifier(), domain.EnvironmentId, Registry, Credential(_services.User, _services.Password));

        Assert.Equal(added.Id, (await domain.ResolveAsync(_services.Registry)).RegistryId);
    }

    [Fact]
    public async Task AddVerifiedRegistryAsync_Invalid_ThrowsAndAddsNothing()
    {
        var domain = await Domain.CreateAsync();
        const string canary = "CANARY-wrong-2";

        var ex = await Assert.ThrowsAsync<RegistryVerificationException>(
            () => domain.Service.AddVerifiedRegistryAsync(TrustingVerifier(), domain.EnvironmentId, Registry, Credential(_services.User, canary)));

        Assert.Equal(RegistryVerificationOutcome.Invalid, ex.Result.Outcome);
        Assert.DoesNotContain(canary, ex.ToString(), StringComparison.Ordinal);
        Assert.Empty(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task AddVerifiedRegistryAsync_ReadOnly_DeniedBeforeTheCredentialIsSent()
    {
        var domain = await Domain.CreateAsync();
        var unreachable = Domain.Verifier();

        await Assert.ThrowsAsync<PermissionDeniedException>(
            () => domain.As("reader").AddVerifiedRegistryAsync(unreachable, domain.EnvironmentId, Registry, Credential(_services.User, _services.Password)));
    }

    [Fact]
    public async Task ImportAsync_WithVerifier_WrongPasswordFailsRightOneImported()
    {
        var domain = await Domain.CreateAsync();
        var options = new DockerConfigImportOptions { Verify = true };
        var json = "{\"auths\": {\"" + _services.Registry + "\": {\"username\": \"" + _services.User + "\", \"password\": \"nope\"}, "
            + "\"https://" + _services.Registry + "/v2/\": {\"username\": \"" + _services.User + "\", \"password\": \"" + _services.Password + "\"}}}";

        var result = await Domain.Importer(domain.Service, options, TrustingVerifier()).ImportAsync(domain.EnvironmentId, json, "ci@example.com");

        Assert.Equal(DockerConfigImportStatus.Failed, result.Entries[0].Status);
        Assert.StartsWith("verification: Invalid", result.Entries[0].Reason, StringComparison.Ordinal);
        Assert.Equal(DockerConfigImportStatus.Imported, result.Entries[1].Status);
        Assert.Equal(_services.Password, (await domain.ResolveAsync(_services.Registry)).Password!.Reveal());
    }

    private RegistryAddress Registry => RegistryAddress.Parse(_services.Registry);

    private RegistryCredentialVerifier TrustingVerifier()
        => Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, _services.Registry) });

    private static RegistryCredential Credential(string username, string password) => new("ci@example.com", username, password);
}
