using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The token realm of the test token registry: checks Basic credentials against the test users and issues
/// RS256 JWTs (distribution's token spec) whose <c>x5c</c> header carries the signing certificate that the registry
/// trusts (its <c>rootcertbundle</c>), granting the scope asked for. It also serves the OAuth2 refresh grant (a POST
/// with <c>grant_type=refresh_token</c>) for refresh tokens it issued (<see cref="IssueRefreshToken"/>) and has not
/// revoked, with access tokens that last <see cref="AccessTokenLifetime"/>.</summary>
/// <remarks>The realm listens on the one port the registry names, so every test class that needs it shares one
/// instance through <see cref="TokenRealmCollection"/>.</remarks>
public sealed class TokenServer : IAsyncLifetime
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);
    private int _refreshGrants;

    private LoopbackHttpServer? _server;
    private RSA? _key;
    private string? _certificate;
    private Dictionary<string, string> _users = [];
    private TestServices? _services;

    internal LoopbackHttpServer Server => _server!;

    /// <summary>Gets or sets how long access tokens of the refresh grant last (their <c>exp</c> and <c>expires_in</c>).</summary>
    public int AccessTokenLifetimeSeconds { get; set; } = 300;

    /// <summary>Gets how many refresh grants were answered with an access token.</summary>
    public int RefreshGrants => Volatile.Read(ref _refreshGrants);

    /// <summary>Issues a refresh token for a user, as a login with offline access would.</summary>
    public string IssueRefreshToken(string user)
    {
        var token = "rt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        _refreshTokens[token] = user;
        return token;
    }

    /// <summary>Revokes a refresh token: later grants with it are refused.</summary>
    public void Revoke(string refreshToken) => _revoked[refreshToken] = true;

    public async Task InitializeAsync()
    {
        _services = TestServices.Require();
        _users = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [_services.User] = _services.Password,
            [_services.SymbolUser] = _services.SymbolPassword,
        };
        _key = RSA.Create();
        _key.ImportFromPem(await File.ReadAllTextAsync(_services.TokenKey));
        using (var cert = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_services.TokenCert)))
        {
            _certificate = Convert.ToBase64String(cert.RawData);
        }

        var tls = LoopbackHttpServer.LoadServerCertificate(_services.RegistryCert, _services.RegistryKey);
        _server = await LoopbackHttpServer.StartAsync(Handle, tls, _services.TokenRealmPort);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _key?.Dispose();
    }

    private ServerResponse Handle(ReceivedRequest request)
    {
        if (request.Method == "POST")
        {
            return Refresh(request);
        }

        var user = Authenticate(request.Authorization);
        if (user is null)
        {
            return ServerResponse.Json(401, """{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}""", ("WWW-Authenticate", "Basic realm=\"token\""));
        }

        var token = Issue(user, request.QueryValue("service") ?? string.Empty, request.QueryValue("scope"), 300);
        return ServerResponse.Json(200, JsonSerializer.Serialize(new Dictionary<string, object> { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300 }));
    }

    private string? Authenticate(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && _users.TryGetValue(decoded[..colon], out var password) && password == decoded[(colon + 1)..] ? decoded[..colon] : null;
    }

    private ServerResponse Refresh(ReceivedRequest request)
    {
        var refreshToken = request.FormValue("refresh_token");
        if (request.FormValue("grant_type") != "refresh_token" || refreshToken is null || !_refreshTokens.TryGetValue(refreshToken, out var user))
        {
            return ServerResponse.Json(400, """{"error":"invalid_grant","error_description":"unknown refresh token"}""");
        }

        if (_revoked.ContainsKey(refreshToken))
        {
            return ServerResponse.Json(400, """{"error":"invalid_grant","error_description":"refresh token revoked"}""");
        }

        var lifetime = AccessTokenLifetimeSeconds;
        var token = Issue(user, request.FormValue("service") ?? string.Empty, request.FormValue("scope"), lifetime);
        Interlocked.Increment(ref _refreshGrants);
        return ServerResponse.Json(200, JsonSerializer.Serialize(new Dictionary<string, object> { ["access_token"] = token, ["expires_in"] = lifetime, ["scope"] = request.FormValue("scope") ?? string.Empty }));
    }

    // "repository:team/app:pull,push" (several separated by spaces) as the JWT's access claim; nothing for no scope.
    private static object[] Access(string? scope)
        => (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => (First: s.IndexOf(':', StringComparison.Ordinal), Last: s.LastIndexOf(':'), Text: s))
            .Where(s => s.First > 0 && s.Last > s.First)
            .Select(s => (object)new Dictionary<string, object>
            {
                ["type"] = s.Text[..s.First],
                ["name"] = s.Text[(s.First + 1)..s.Last],
                ["actions"] = s.Text[(s.Last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries),
            })
            .ToArray();

    private string Issue(string subject, string service, string? scope, int lifetimeSeconds)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new[] { _certificate! } });
        var claims = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = _services!.TokenIssuer,
            ["sub"] = subject,
            ["aud"] = service,
            ["exp"] = now + lifetimeSeconds,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = Access(scope),
        });
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header)) + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        var signature = _key!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Test classes that use the token realm (one port) run one after another and share one <see cref="TokenServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TokenRealmCollection : ICollectionFixture<TokenServer>
{
    public const string Name = "Token realm";
}
