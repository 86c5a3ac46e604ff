using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Sources;

namespace Registries.Core.Interop.Tests;

/// <summary>The identity-token source against registries and token realms of the test's own on loopback (plain HTTP,
/// listed as insecure): what it sends, what it gives, and what a hostile realm gets out of it.</summary>
public sealed class IdentityTokenSourceTests
{
    private const string User = "deployer";
    private const string Canary = "CANARY-refresh:/+=\"q\\ Äé€~?>ÿ";
    private const string Service = "registry.test";

    [Fact]
    public async Task FetchAsync_Image_PostsTheRefreshGrantAndGivesAPullScopedRegistryToken()
    {
        await using var realm = await Realm(_ => TokenAnswer("access-1", expiresIn: 120));
        var before = DateTimeOffset.UtcNow;

        var credential = await Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None);

        var post = Assert.Single(realm.Requests, r => r.Method == "POST");
        Assert.Equal("/token", post.Path);
        Assert.Equal("refresh_token", post.FormValue("grant_type"));
        Assert.Equal(Canary, post.FormValue("refresh_token"));
        Assert.Equal(Service, post.FormValue("service"));
        Assert.Equal("repository:team/app:pull", post.FormValue("scope"));
        Assert.Equal("registries-core", post.FormValue("client_id"));
        Assert.Null(post.Authorization);
        Assert.NotNull(credential);
        Assert.Equal("access-1", credential.Secret.Reveal());
        Assert.Equal(User, credential.Username);
        Assert.Equal(CredentialSecretKind.RegistryToken, credential.SecretKind);
        Assert.Equal(CredentialCacheScope.Image, credential.CacheScope);
        Assert.InRange(credential.ExpiresAt!.Value, before.AddSeconds(119), DateTimeOffset.UtcNow.AddSeconds(120));
    }

    [Fact]
    public async Task FetchAsync_WholeAddress_ChecksTheTokenThenGivesItAsAnIdentityToken()
    {
        await using var realm = await Realm(_ => TokenAnswer("access-1", expiresIn: 120));
        var request = Request(realm, image: null);

        var credential = await Source(realm).FetchAsync(request, CancellationToken.None);

        var post = Assert.Single(realm.Requests, r => r.Method == "POST");
        Assert.Null(post.FormValue("scope"));
        Assert.NotNull(credential);
        Assert.Same(request.StoredSecret, credential.Secret);
        Assert.Equal(CredentialSecretKind.IdentityToken, credential.SecretKind);
        Assert.Equal(CredentialCacheScope.Registry, credential.CacheScope);
        Assert.Null(credential.ExpiresAt);
    }

    [Fact]
    public async Task FetchAsync_GetStyleTokenField_IsAcceptedAsTheAccessToken()
    {
        await using var realm = await Realm(_ => ServerResponse.Json(200, """{"token":"from-token-field","expires_in":300}"""));

        var credential = await Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None);

        Assert.Equal("from-token-field", credential!.Secret.Reveal());
    }

    [Fact]
    public async Task FetchAsync_RevokedToken_ThrowsWithTheRealmsErrorAndNoFormOfTheToken()
    {
        await using var realm = await Realm(r => ServerResponse.Json(400, JsonSerializer.Serialize(new
        {
            error = "invalid_grant",
            error_description = $"refresh token {r.FormValue("refresh_token")} was revoked; body was {r.Body}",
        })));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("refused the identity token of 'deployer'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", ex.Message, StringComparison.Ordinal);
        Assert.Contains("was revoked", ex.Message, StringComparison.Ordinal);
        Assert.Contains("log in again", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CredentialSource.IdentityToken, ex.CredentialSource);
        CredentialMaskTests.AssertNoForm(ex.Message, User, Canary);
        CredentialMaskTests.AssertNoForm(ex.ToString(), User, Canary);
    }

    [Fact]
    public async Task FetchAsync_RealmEchoesEveryFormRaw_MessageHasNoneAndIsOneBoundedLine()
    {
        await using var realm = await Realm(r => new ServerResponse(401, $"you sent\n{r.Body}\r\n{Canary} {Uri.EscapeDataString(Canary)} {Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))} {JsonSerializer.Serialize(Canary)} " + new string('x', 5000)));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

        CredentialMaskTests.AssertNoForm(ex.Message, User, Canary);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain('\r', ex.Message);
        Assert.True(ex.Message.Length < 1100, ex.Message.Length.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task FetchAsync_AccessToken_NeverInToString()
    {
        await using var realm = await Realm(_ => TokenAnswer("CANARY-access-token", expiresIn: 120));

        var credential = await Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None);

        Assert.DoesNotContain("CANARY-access-token", credential!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY-access-token", credential.Secret.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_HugeAnswer_IsRefusedAtTheBound()
    {
        var huge = "{\"access_token\":\"" + new string('a', 300_000) + "\"}";
        await using var realm = await Realm(_ => ServerResponse.Json(200, huge));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("answered more than 65536 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_SlowRealm_FailsAfterTheTimeout()
    {
        using var gate = new ManualResetEventSlim();
        await using var realm = await Realm(_ =>
        {
            // The server holds its answer until the test is done (bounded), like a realm that never answers.
            gate.Wait(TimeSpan.FromSeconds(30));
            return TokenAnswer("late", 120);
        });
        try
        {
            var ex = await Assert.ThrowsAsync<CredentialSourceException>(
                () => Source(realm, o => o.Timeout = TimeSpan.FromSeconds(1)).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

            Assert.Contains("within 1 s", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            gate.Set();
        }
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[\"access_token\"]")]
    [InlineData("{\"access_token\":42}")]
    [InlineData("{\"access_token\":\"\"}")]
    [InlineData("{\"access_token\":\"has space\"}")]
    [InlineData("")]
    public async Task FetchAsync_NotATokenAnswer_IsRefused(string body)
    {
        await using var realm = await Realm(_ => ServerResponse.Json(200, body));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("without an access token", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.000001")]
    [InlineData("0")]
    [InlineData("-30")]
    public async Task FetchAsync_LifetimeUnderASecond_IsRefused(string expiresIn)
    {
        await using var realm = await Realm(_ => ServerResponse.Json(200, "{\"access_token\":\"tok-0123456789\",\"expires_in\":" + expiresIn + "}"));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("lasts under a second", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e12")]
    [InlineData("1e308")]
    [InlineData("31536000")]
    public async Task FetchAsync_LifetimeOfYears_IsShortenedToADay(string expiresIn)
    {
        await using var realm = await Realm(_ => ServerResponse.Json(200, "{\"access_token\":\"tok-0123456789\",\"expires_in\":" + expiresIn + "}"));
        var before = DateTimeOffset.UtcNow;

        var credential = await Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None);

        Assert.InRange(credential!.ExpiresAt!.Value, before.AddHours(24).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(24));
    }

    [Fact]
    public void Expiry_Rules()
    {
        var t0 = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(t0.AddSeconds(60), IdentityTokenSource.Expiry(t0, t0, null, null).ExpiresAt);
        Assert.Equal(t0.AddSeconds(5), IdentityTokenSource.Expiry(t0, t0, 5, null).ExpiresAt);
        Assert.Equal(t0.AddSeconds(30), IdentityTokenSource.Expiry(t0, t0, 300, t0.AddSeconds(30)).ExpiresAt);
        Assert.Equal(t0.AddSeconds(300), IdentityTokenSource.Expiry(t0, t0, null, t0.AddSeconds(300)).ExpiresAt);
        Assert.Equal(t0.AddHours(24), IdentityTokenSource.Expiry(t0, t0, null, t0.AddYears(5)).ExpiresAt);
        Assert.Equal(t0.AddHours(24), IdentityTokenSource.Expiry(t0, t0, double.PositiveInfinity, null).ExpiresAt);
        Assert.NotNull(IdentityTokenSource.Expiry(t0, t0, double.NaN, null).Refusal);
        Assert.Contains("already past", IdentityTokenSource.Expiry(t0, t0, 300, t0.AddSeconds(-5)).Refusal, StringComparison.Ordinal);
        Assert.Contains("already past", IdentityTokenSource.Expiry(t0, t0.AddSeconds(10), 5, null).Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void JwtExpiry_ReadsExpAndIgnoresEverythingElse()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), IdentityTokenSource.JwtExpiry(Jwt("{\"exp\":1800000000}")));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), IdentityTokenSource.JwtExpiry(Jwt("{\"exp\":1800000000.9}")));
        Assert.Null(IdentityTokenSource.JwtExpiry(Jwt("{\"exp\":\"1800000000\"}")));
        Assert.Null(IdentityTokenSource.JwtExpiry(Jwt("{\"exp\":-1}")));
        Assert.Null(IdentityTokenSource.JwtExpiry(Jwt("{\"exp\":1e300}")));
        Assert.Null(IdentityTokenSource.JwtExpiry(Jwt("[1]")));
        Assert.Null(IdentityTokenSource.JwtExpiry(Jwt("not json")));
        Assert.Null(IdentityTokenSource.JwtExpiry("opaque-token"));
        Assert.Null(IdentityTokenSource.JwtExpiry("a.!!!.c"));
    }

    [Fact]
    public async Task FetchAsync_JwtExpEarlierThanExpiresIn_TheEarlierWins()
    {
        var exp = DateTimeOffset.UtcNow.AddSeconds(20);
        await using var realm = await Realm(_ => TokenAnswer(Jwt("{\"exp\":" + exp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "}"), expiresIn: 3600));

        var credential = await Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(exp.ToUnixTimeSeconds()), credential!.ExpiresAt);
    }

    [Fact]
    public async Task FetchAsync_RegistryWithoutAuthentication_SaysThereIsNothingToExchange()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Json(200, "{}"));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(registry).FetchAsync(Request(registry, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("asks for no authentication", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(registry.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task FetchAsync_BasicOnlyRegistry_SaysToStoreAPassword()
    {
        await using var registry = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Json(401, "{}", ("WWW-Authenticate", "Basic realm=\"r\"")));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(registry).FetchAsync(Request(registry, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("asks for Basic authentication", ex.Message, StringComparison.Ordinal);
        Assert.Contains("username and password", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer realm=\"ftp://host/token\"", "not an http(s) URL")]
    [InlineData("Bearer realm=\"/relative\"", "not an http(s) URL")]
    [InlineData("Bearer service=\"x\"", "not an http(s) URL")]
    [InlineData("Bearer realm=\"unterminated", "not an http(s) URL")]
    [InlineData("Negotiate abc", "without a Bearer challenge")]
    public async Task FetchAsync_UnusableChallenge_IsRefused(string challenge, string expected)
    {
        await using var registry = await LoopbackHttpServer.StartAsync(_ => ServerResponse.Json(401, "{}", ("WWW-Authenticate", challenge)));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(registry).FetchAsync(Request(registry, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_RealmRedirects_TheTokenIsNotSentOn()
    {
        await using var elsewhere = await LoopbackHttpServer.StartAsync(_ => TokenAnswer("stolen", 120));
        await using var realm = await Realm(_ => ServerResponse.Redirect($"http://127.0.0.1:{elsewhere.Port}/token"));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(() => Source(realm).FetchAsync(Request(realm, "team/app"), CancellationToken.None).AsTask());

        Assert.Contains("redirect", ex.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task FetchAsync_QuotedCommaAndEscapesInTheChallenge_AreRead()
    {
        LoopbackHttpServer? server = null;
        server = await LoopbackHttpServer.StartAsync(r => r.Path == "/v2/"
            ? ServerResponse.Json(401, "{}", ("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{server!.Port}/token\",service=\"svc, \\\"quoted\\\"\" , scope=\"repository:x:pull\""))
            : TokenAnswer("t", 120));
        await using (server)
        {
            await Source(server).FetchAsync(Request(server, "team/app"), CancellationToken.None);

            Assert.Equal("svc, \"quoted\"", Assert.Single(server.Requests, r => r.Method == "POST").FormValue("service"));
        }
    }

    [Fact]
    public async Task FetchAsync_NotAnIdentityTokenEntry_ThrowsArgumentException()
    {
        var registry = new Registry("r1", "e1", RegistryAddress.Parse("127.0.0.1:9"), RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.CredentialHelper("pass"));
        var request = new CredentialSourceRequest(registry, registry.Address, null, null);

        await Assert.ThrowsAsync<ArgumentException>(() => Source(null).FetchAsync(request, CancellationToken.None).AsTask());
    }

    [Fact]
    public void Constructor_BadOptions_ThrowOptionsValidationException()
    {
        Assert.Throws<OptionsValidationException>(() => new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions { Timeout = TimeSpan.Zero })));
        Assert.Throws<OptionsValidationException>(() => new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions { MaxResponseBytes = 10 })));
        Assert.Throws<OptionsValidationException>(() => new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions { ClientId = "has space" })));
        Assert.Throws<OptionsValidationException>(() => new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions { CertificatesDirectory = " " })));
        Assert.Equal(CredentialSourceKind.IdentityToken, new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions())).Kind);
    }

    internal static string Jwt(string claims)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Part("{\"alg\":\"none\"}") + "." + Part(claims) + ".c2ln";
    }

    private static ServerResponse TokenAnswer(string token, int expiresIn)
        => ServerResponse.Json(200, JsonSerializer.Serialize(new { access_token = token, expires_in = expiresIn, issued_at = "2026-12-05T12:00:00Z" }));

    // One loopback server that is both the registry (GET /v2/ challenges) and its token realm (POST /token).
    private static async Task<LoopbackHttpServer> Realm(Func<ReceivedRequest, ServerResponse> token)
    {
        LoopbackHttpServer? server = null;
        server = await LoopbackHttpServer.StartAsync(r => r.Path == "/v2/"
            ? ServerResponse.Json(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", ("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{server!.Port}/token\",service=\"{Service}\""))
            : token(r));
        return server;
    }

    private static CredentialSourceRequest Request(LoopbackHttpServer server, string? image)
    {
        var address = RegistryAddress.Parse($"127.0.0.1:{server.Port}");
        var registry = new Registry("r1", "e1", address, RegistryState.Active, "ops@example.com", User, 1, 1, CredentialSource.IdentityToken);
        return new CredentialSourceRequest(registry, address, image is null ? null : ImageReference.Parse($"{address}/{image}:1"), new RegistrySecret(Canary));
    }

    // The loopback server speaks plain HTTP: its address is listed as insecure, as dockerd treats 127.0.0.0/8.
    private static IdentityTokenSource Source(LoopbackHttpServer? server, Action<IdentityTokenSourceOptions>? configure = null)
    {
        var options = new IdentityTokenSourceOptions { Timeout = TimeSpan.FromSeconds(20) };
        if (server is not null)
        {
            options.InsecureRegistries.Add(RegistryAddress.Parse($"127.0.0.1:{server.Port}"));
        }

        configure?.Invoke(options);
        return new IdentityTokenSource(Options.Create(options));
    }
}
