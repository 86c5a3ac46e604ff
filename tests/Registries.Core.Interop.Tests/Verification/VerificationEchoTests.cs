using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Issue 13: a registry or token server that echoes what it was sent (the Authorization header, the token)
/// gets no form of the credential into the verification's message; a plain-HTTP registry is reported as such.</summary>
[Trait("Category", "Integration")]
public sealed class VerificationEchoTests : IDisposable
{
    private const string User = "deployer";
    private const string Canary = "Ver:ify/+=\"q\\ Äé€~?>ÿ";
    private readonly TestServices _services = TestServices.Require();
    private readonly TestDirectory _directory = new();
    private readonly X509Certificate2 _certificate;

    public VerificationEchoTests()
    {
        _certificate = LoopbackHttpServer.LoadServerCertificate(_services.RegistryCert, _services.RegistryKey);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task VerifyAsync_BasicRegistryEchoesTheAuthorizationHeader_MessageHasNoFormOfTheCredential()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Authorization is null
                ? ServerResponse.Json(401, "{}", ("WWW-Authenticate", "Basic realm=\"echo\""))
                : ServerResponse.Json(401, Echo(r.Authorization)),
            _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Invalid, result.Outcome);
        Assert.Contains("bad Basic ***", result.Message, StringComparison.Ordinal);
        CredentialMaskTests.AssertNoForm(result.Message, User, Canary);
        CredentialMaskTests.AssertNoForm(result.ToString(), User, Canary);
    }

    [Fact]
    public async Task VerifyAsync_RawBodyEchoingEveryForm_MessageHasNoFormOfTheCredential()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Authorization is null
                ? ServerResponse.Json(401, "{}", ("WWW-Authenticate", "Basic realm=\"echo\""))
                : new ServerResponse(403, $"you sent {r.Authorization} for {User}:{Canary} = {Uri.EscapeDataString(Canary)} {JsonSerializer.Serialize(new { password = Canary })}"),
            _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Invalid, result.Outcome);
        CredentialMaskTests.AssertNoForm(result.Message, User, Canary);
    }

    [Fact]
    public async Task VerifyAsync_RegistryEchoesTheBearerTokenItWasGiven_TokenIsMasked()
    {
        const string token = "tok-3f9a1c7e5b2d4a6c8e0f1a3b5c7d9e1f";
        await using var realm = await LoopbackHttpServer.StartAsync(
            r => r.Authorization is null ? new ServerResponse(401) : ServerResponse.Json(200, "{\"token\":\"" + token + "\"}"),
            _certificate);
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Authorization is null
                ? ServerResponse.Json(401, "{}", ("WWW-Authenticate", $"Bearer realm=\"https://127.0.0.1:{realm.Port}/token\",service=\"echo\""))
                : ServerResponse.Json(401, Echo(r.Authorization)),
            _certificate);

        var result = await Domain.Verifier(new RegistryVerificationOptions
        {
            CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, $"127.0.0.1:{registry.Port}", $"127.0.0.1:{realm.Port}"),
        }).VerifyAsync(RegistryAddress.Parse($"127.0.0.1:{registry.Port}"), new RegistryCredential("ci@example.com", User, Canary));

        Assert.Equal(RegistryVerificationOutcome.Invalid, result.Outcome);
        Assert.Contains(registry.Requests, r => r.Authorization == "Bearer " + token);
        Assert.Contains("bad Bearer ***", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_RegistrySpeaksPlainHttp_SaysSoAndWhatToDo()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Json(401, "{}", ("WWW-Authenticate", "Basic realm=\"plain\"")));

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains($"127.0.0.1:{registry.Port} speaks plain HTTP, not HTTPS", result.Message, StringComparison.Ordinal);
        Assert.Contains($"registries insecure add 127.0.0.1:{registry.Port}", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.All(registry.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task VerifyAsync_UntrustedCertificate_IsStillReportedAsACertificateProblem()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(_ => new ServerResponse(200), _certificate);

        var result = await Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.Path })
            .VerifyAsync(RegistryAddress.Parse($"127.0.0.1:{registry.Port}"), new RegistryCredential("ci@example.com", User, Canary));

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains("TLS certificate", result.Message, StringComparison.Ordinal);
    }

    // What a careless registry says: the header it got, inside the v2 error format.
    private static string Echo(string authorization)
        => JsonSerializer.Serialize(new { errors = new[] { new { code = "UNAUTHORIZED", message = "bad " + authorization } } });

    private Task<RegistryVerificationResult> VerifyAsync(LoopbackHttpServer registry)
        => Domain.Verifier(new RegistryVerificationOptions
        {
            CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, $"127.0.0.1:{registry.Port}"),
        }).VerifyAsync(RegistryAddress.Parse($"127.0.0.1:{registry.Port}"), new RegistryCredential("ci@example.com", User, Canary));
}
