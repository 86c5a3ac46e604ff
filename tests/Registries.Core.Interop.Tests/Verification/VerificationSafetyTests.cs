using System.Security.Cryptography.X509Certificates;
using System.Text;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Issue 10: verification sends the credential only to the registry and the token realm it names, never
/// follows a redirect elsewhere with it, and refuses a token realm that downgrades HTTPS to HTTP. The servers are fake
/// registries on loopback ports (TLS with the test certificate, valid for 127.0.0.1 and localhost).</summary>
[Trait("Category", "Integration")]
public sealed class VerificationSafetyTests : IDisposable
{
    private const string Password = "CANARY-pw:\"safety\" é";
    private readonly TestServices _services = TestServices.Require();
    private readonly TestDirectory _directory = new();
    private readonly X509Certificate2 _certificate;

    public VerificationSafetyTests()
    {
        _certificate = LoopbackHttpServer.LoadServerCertificate(_services.RegistryCert, _services.RegistryKey);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task VerifyAsync_AuthenticatedRequestRedirectedToAnotherHost_NotFollowed()
    {
        await using var elsewhere = await LoopbackHttpServer.StartAsync(_ => new ServerResponse(200), _certificate);
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Authorization is null ? Challenge("Basic realm=\"fake\"") : ServerResponse.Redirect($"https://localhost:{elsewhere.Port}/v2/"),
            _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains("refused", result.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Contains(registry.Requests, r => r.Authorization is not null);
    }

    [Fact]
    public async Task VerifyAsync_PingRedirectedToAnotherHost_NotFollowed()
    {
        await using var elsewhere = await LoopbackHttpServer.StartAsync(_ => Challenge("Basic realm=\"other\""), _certificate);
        await using var registry = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Redirect($"https://localhost:{elsewhere.Port}/v2/"), _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Empty(elsewhere.Requests);
        Assert.All(registry.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task VerifyAsync_SameHostRedirect_FollowedWithTheCredential()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Path switch
            {
                "/v2/" when r.Authorization is null => Challenge("Basic realm=\"fake\""),
                "/v2/" => ServerResponse.Redirect("/v2/checked"),
                _ => r.Authorization == Basic() ? new ServerResponse(200) : Challenge("Basic realm=\"fake\""),
            },
            _certificate);

        var result = await VerifyAsync(registry);

        Assert.True(result.IsValid, result.Message);
        Assert.Contains(registry.Requests, r => r.Path == "/v2/checked" && r.Authorization == Basic());
    }

    [Fact]
    public async Task VerifyAsync_HttpsRegistryNamesHttpRealm_RefusedWithoutContactingIt()
    {
        await using var realm = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Json(200, "{\"token\":\"t\"}"));
        await using var registry = await LoopbackHttpServer.StartAsync(
            _ => Challenge($"Bearer realm=\"http://127.0.0.1:{realm.Port}/token\",service=\"fake\""), _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains("refused", result.Message, StringComparison.Ordinal);
        Assert.Contains("plain HTTP", result.Message, StringComparison.Ordinal);
        Assert.Empty(realm.Requests);
    }

    [Fact]
    public async Task VerifyAsync_RealmOnAnotherHost_GetsTheCredentialButItsRedirectIsNotFollowed()
    {
        await using var elsewhere = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Json(200, "{\"token\":\"stolen\"}"), _certificate);
        await using var realm = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Redirect($"https://127.0.0.1:{elsewhere.Port}/token"), _certificate);
        await using var registry = await LoopbackHttpServer.StartAsync(
            _ => Challenge($"Bearer realm=\"https://localhost:{realm.Port}/token\",service=\"fake\",scope=\"registry:catalog:*\""), _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        var tokenRequest = Assert.Single(realm.Requests);
        Assert.Equal(Basic(), tokenRequest.Authorization);
        Assert.Equal("fake", tokenRequest.QueryValue("service"));
        Assert.Equal("registry:catalog:*", tokenRequest.QueryValue("scope"));
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task VerifyAsync_TokenFlow_TokenSentOnlyToTheRegistry()
    {
        await using var realm = await LoopbackHttpServer.StartAsync(
            r => r.Authorization == Basic() ? ServerResponse.Json(200, "{\"access_token\":\"good-token\"}") : ServerResponse.Json(401, "{\"details\":\"incorrect username or password\"}"),
            _certificate);
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Authorization == "Bearer good-token" ? new ServerResponse(200) : Challenge($"Bearer realm=\"https://localhost:{realm.Port}/token\",service=\"fake\""),
            _certificate);

        var result = await VerifyAsync(registry);

        Assert.True(result.IsValid, result.Message);
        Assert.All(realm.Requests, r => Assert.Equal(Basic(), r.Authorization));
        Assert.Contains(registry.Requests, r => r.Authorization == "Bearer good-token");
        Assert.DoesNotContain(registry.Requests, r => r.Authorization?.StartsWith("Basic", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task VerifyAsync_RegistryEchoesThePassword_MessageMasksIt()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(
            r => r.Authorization is null
                ? Challenge("Basic realm=\"fake\"")
                : ServerResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad password " + Password.Replace("\"", "\\\"", StringComparison.Ordinal) + " in " + r.Authorization + "\"}]}"),
            _certificate);

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Invalid, result.Outcome);
        Assert.Contains("bad password ***", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Basic()["Basic ".Length..], result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_NotARegistry_Unreachable()
    {
        await using var server = await LoopbackHttpServer.StartAsync(_ => new ServerResponse(404, "not here"), _certificate);

        var result = await VerifyAsync(server);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains("404", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_Timeout_Unreachable()
    {
        using var gate = new ManualResetEventSlim();
        await using var server = await LoopbackHttpServer.StartAsync(_ => { gate.Wait(TimeSpan.FromSeconds(10)); return new ServerResponse(200); }, _certificate);
        var options = Options(server);
        options.Timeout = TimeSpan.FromSeconds(1);

        var result = await Domain.Verifier(options).VerifyAsync(AddressOf(server), Credential());
        gate.Set();

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains("no answer within 1 s", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_InsecurePlainHttpRegistry_FallsBackToHttp()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(r => r.Authorization == Basic() ? new ServerResponse(200) : Challenge("Basic realm=\"fake\""));
        var options = Options(registry);
        options.InsecureRegistries.Add(AddressOf(registry));

        var result = await Domain.Verifier(options).VerifyAsync(AddressOf(registry), Credential());

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task VerifyAsync_PlainHttpRegistryNotMarkedInsecure_NeverSendsTheCredential()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(r => r.Authorization == Basic() ? new ServerResponse(200) : Challenge("Basic realm=\"fake\""));

        var result = await VerifyAsync(registry);

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.All(registry.Requests, r => Assert.Null(r.Authorization));
    }

    private static ServerResponse Challenge(string challenge)
        => ServerResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}", ("WWW-Authenticate", challenge));

    private static string Basic() => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Password));

    private static RegistryCredential Credential() => new("ci@example.com", "user", Password);

    private static RegistryAddress AddressOf(LoopbackHttpServer server) => RegistryAddress.Parse($"127.0.0.1:{server.Port}");

    private RegistryVerificationOptions Options(LoopbackHttpServer server)
        => new() { CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, $"127.0.0.1:{server.Port}") };

    private Task<RegistryVerificationResult> VerifyAsync(LoopbackHttpServer registry)
        => Domain.Verifier(Options(registry)).VerifyAsync(AddressOf(registry), Credential());
}
