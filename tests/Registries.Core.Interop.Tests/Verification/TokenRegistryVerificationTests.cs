using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Verification against the real registry with token auth, whose realm <see cref="TokenServer"/> serves.</summary>
[Trait("Category", "Integration")]
[Collection(TokenRealmCollection.Name)]
public sealed class TokenRegistryVerificationTests : IDisposable
{
    private readonly TestServices _services = TestServices.Require();
    private readonly TokenServer _tokenServer;
    private readonly TestDirectory _directory = new();

    public TokenRegistryVerificationTests(TokenServer tokenServer)
    {
        _tokenServer = tokenServer;
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task VerifyAsync_RightPassword_ValidThroughAToken()
    {
        var before = _tokenServer.Server.Requests.Count;

        var result = await Verifier().VerifyAsync(Registry, new RegistryCredential("ci@example.com", _services.User, _services.Password));

        Assert.True(result.IsValid, result.Message);
        var request = _tokenServer.Server.Requests.Skip(before).First();
        Assert.Equal(_services.TokenService, request.QueryValue("service"));
        Assert.Equal(_services.User, request.QueryValue("account"));
        Assert.StartsWith("Basic ", request.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_SymbolPassword_ValidThroughAToken()
    {
        var result = await Verifier().VerifyAsync(Registry, new RegistryCredential("ci@example.com", _services.SymbolUser, _services.SymbolPassword));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task VerifyAsync_WrongPassword_InvalidWithTheTokenServersMessage()
    {
        const string canary = "CANARY-token-3";

        var result = await Verifier().VerifyAsync(Registry, new RegistryCredential("ci@example.com", _services.User, canary));

        Assert.Equal(RegistryVerificationOutcome.Invalid, result.Outcome);
        Assert.Contains("token server", result.Message, StringComparison.Ordinal);
        Assert.Contains("invalid username or password", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, result.Message, StringComparison.Ordinal);
    }

    private RegistryAddress Registry => RegistryAddress.Parse(_services.TokenRegistry);

    // Docker uses the registry's TLS settings for its token realm too: trusting the registry's CA covers both.
    private RegistryCredentialVerifier Verifier()
        => Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, _services.TokenRegistry) });
}
