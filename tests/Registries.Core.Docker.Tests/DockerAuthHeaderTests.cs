using Microsoft.Extensions.Options;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Registries.Core.Engine;

namespace Registries.Core.Docker.Tests;

/// <summary>What <see cref="DockerImageEngine"/> puts on the wire: the <c>X-Registry-Auth</c> header and the pull query.</summary>
public sealed class DockerAuthHeaderTests
{
    // Quotes, backslash, colon, +, /, =, non-ASCII letters and a blank; "?>?~" and "ÿ" make standard base64 emit
    // '+' and '/', which dockerd (base64.URLEncoding) would fail to decode and then silently pull anonymously.
    private const string Password = "p@ss:w\"or\\d+/= ÄÖü€ é?>?~~ÿ";

    [Fact]
    public async Task PullAsync_Authenticated_SendsBase64UrlJsonThatCarriesEveryCharacterOfThePassword()
    {
        await using var server = new FakeEngineServer([(200, Stream("{\"status\":\"Pulling from team/app\",\"id\":\"1.0\"}", "{\"errorDetail\":{\"message\":\"unauthorized: authentication required\"},\"error\":\"unauthorized: authentication required\"}"))]);
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri($"tcp://127.0.0.1:{server.Port}") }));
        var image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");
        var resolution = CredentialResolution.Authenticated(image, Entry(RegistryAddress.Parse("registry.example.com:5000"), "ci-bot"), new RegistrySecret(Password));

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(resolution).AsTask());

        var header = server.Header(0, "X-Registry-Auth");
        Assert.DoesNotContain('+', header);
        Assert.DoesNotContain('/', header);
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { password = Password }));
        Assert.True(Convert.ToBase64String(json).IndexOfAny(['+', '/']) >= 0, "the password must exercise the characters standard base64 gets wrong");
        using var auth = JsonDocument.Parse(Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/')));
        Assert.Equal(Password, auth.RootElement.GetProperty("password").GetString());
        Assert.Equal("ci-bot", auth.RootElement.GetProperty("username").GetString());
        Assert.Equal("registry.example.com:5000", auth.RootElement.GetProperty("serveraddress").GetString());
        Assert.StartsWith("POST /images/create?fromImage=registry.example.com%3A5000%2Fteam%2Fapp&tag=1.0 ", server.Requests[0], StringComparison.Ordinal);

        // A failure reported inside a 200 stream is not silent.
        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAsync_Anonymous_SendsNoCredential()
    {
        await using var server = new FakeEngineServer([(404, "{\"message\":\"manifest for registry.example.com/team/app:latest not found: manifest unknown: manifest unknown\"}")]);
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri($"tcp://127.0.0.1:{server.Port}") }));
        var image = ImageReference.Parse("registry.example.com/team/app");

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(image)).AsTask());

        Assert.Equal(ImagePullError.NotFound, error.Error);
        var header = server.Header(0, "X-Registry-Auth");
        using var auth = JsonDocument.Parse(Convert.FromBase64String(header.Replace('-', '+').Replace('_', '/')));
        Assert.False(auth.RootElement.TryGetProperty("password", out _));
        Assert.False(auth.RootElement.TryGetProperty("username", out _));
        Assert.Contains("tag=latest", server.Requests[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAsync_StreamEndsWithoutErrorButImageAbsent_IsFailed()
    {
        await using var server = new FakeEngineServer(
        [
            (200, Stream("{\"status\":\"Pulling from team/app\",\"id\":\"1.0\"}", "{\"status\":\"Digest: sha256:0000\"}")),
            (404, "{\"message\":\"No such image: registry.example.com/team/app:1.0\"}"),
        ]);
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri($"tcp://127.0.0.1:{server.Port}") }));
        var image = ImageReference.Parse("registry.example.com/team/app:1.0");

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(image)).AsTask());

        Assert.Equal(ImagePullError.Failed, error.Error);
        Assert.Contains("not present", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("GET /images/registry.example.com/team/app:1.0/json ", server.Requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAsync_AuthenticatedPullLogged_NoLogRecordHoldsThePassword()
    {
        // A registry that echoes the credential into its error, which the Engine passes on in the stream.
        var echoed = JsonSerializer.Serialize("unauthorized: bad password " + Password);
        await using var server = new FakeEngineServer([(200, Stream("{\"errorDetail\":{\"message\":" + echoed + "},\"error\":" + echoed + "}"))]);
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri($"tcp://127.0.0.1:{server.Port}") }), loggers);
        var image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");
        var resolution = CredentialResolution.Authenticated(image, Entry(RegistryAddress.Parse("registry.example.com:5000"), "ci-bot"), new RegistrySecret(Password));

        await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(resolution).AsTask());

        var records = collector.GetSnapshot();
        Assert.Contains(records, r => r.Level == LogLevel.Debug && r.Message.Contains("ci-bot", StringComparison.Ordinal) && r.Message.Contains("reg-1", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Level == LogLevel.Warning && r.Message.Contains("Unauthorized", StringComparison.Ordinal));
        var everything = string.Join("\n", records.Select(r => r.Message + " " + r.Exception + " " + string.Join(",", r.StructuredState?.Select(p => p.Value) ?? [])));
        Assert.DoesNotContain(Password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)), everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAsync_AddressResolution_ThrowsArgumentExceptionBeforeAnyCall()
    {
        await using var server = new FakeEngineServer([]);
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri($"tcp://127.0.0.1:{server.Port}") }));
        var address = RegistryAddress.Parse("registry.example.com:5000");
        var resolution = CredentialResolution.Authenticated(address, Entry(address, "ci-bot"), new RegistrySecret(Password));

        var error = await Assert.ThrowsAsync<ArgumentException>("resolution", () => engine.PullAsync(resolution).AsTask());

        Assert.Contains("A pull needs an image resolution", error.Message, StringComparison.Ordinal);
        Assert.Contains("registry.example.com:5000", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    private static string Stream(params string[] messages) => string.Join("\r\n", messages) + "\r\n";

    private static Registry Entry(RegistryAddress address, string username)
        => new("reg-1", "env-1", address, RegistryState.Active, "ops@example.com", username, sequence: 1, version: 1);
}
