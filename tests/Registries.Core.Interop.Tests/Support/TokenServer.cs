using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The token realm of the test token registry: checks Basic credentials against the test users and issues
/// RS256 JWTs (distribution's token spec) whose <c>x5c</c> header carries the signing certificate that the registry
/// trusts (its <c>rootcertbundle</c>).</summary>
public sealed class TokenServer : IAsyncLifetime
{
    private LoopbackHttpServer? _server;
    private RSA? _key;
    private string? _certificate;
    private Dictionary<string, string> _users = [];
    private TestServices? _services;

    internal LoopbackHttpServer Server => _server!;

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
        var user = Authenticate(request.Authorization);
        if (user is null)
        {
            return ServerResponse.Json(401, """{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}""", ("WWW-Authenticate", "Basic realm=\"token\""));
        }

        var token = Issue(user, request.QueryValue("service") ?? string.Empty);
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

    private string Issue(string subject, string service)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new[] { _certificate! } });
        var claims = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = _services!.TokenIssuer,
            ["sub"] = subject,
            ["aud"] = service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = Array.Empty<object>(),
        });
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header)) + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        var signature = _key!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
