using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Registries.Core.Docker.Tests;

public sealed class DockerEngineOptionsTests
{
    [Theory]
    [InlineData(null, false, "unix:///var/run/docker.sock")]
    [InlineData("", false, "unix:///var/run/docker.sock")]
    [InlineData(null, true, "npipe://./pipe/docker_engine")]
    [InlineData("unix:///tmp/x/docker.sock", false, "unix:///tmp/x/docker.sock")]
    [InlineData("tcp://10.0.0.5:2376", false, "tcp://10.0.0.5:2376/")]
    [InlineData("npipe:////./pipe/docker_engine", true, "npipe://./pipe/docker_engine")]
    public void ResolveDefaultEndpoint_DockerHostAndPlatform_GivesTheEndpoint(string? dockerHost, bool isWindows, string expected)
        => Assert.Equal(expected, DockerEngineOptions.ResolveDefaultEndpoint(dockerHost, isWindows).ToString());

    [Fact]
    public void ResolveDefaultEndpoint_NotAUri_ThrowsWithTheExpectedForm()
    {
        var error = Assert.Throws<ArgumentException>(() => DockerEngineOptions.ResolveDefaultEndpoint("docker.sock", isWindows: false));

        Assert.Contains("DOCKER_HOST 'docker.sock'", error.Message, StringComparison.Ordinal);
        Assert.Contains("unix:///var/run/docker.sock", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("tcp://127.0.0.1:2375")]
    [InlineData("https://docker.example.com:2376")]
    public void Validate_SupportedEndpoint_HasNoErrors(string endpoint)
    {
        var options = new DockerEngineOptions { Endpoint = new Uri(endpoint), RequestTimeout = TimeSpan.FromSeconds(5) };

        Assert.Empty(Problems(options));
        Assert.True(new DockerEngineOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
    }

    [Theory]
    [InlineData("docker.sock", "relative")]
    [InlineData("ssh://me@docker.example.com", "unsupported scheme 'ssh'")]
    [InlineData("tcp://docker.example.com", "needs a host and a port")]
    [InlineData("unix:///", "names no socket path")]
    public void Validate_BadEndpoint_SaysWhatIsWrong(string endpoint, string expected)
    {
        var options = new DockerEngineOptions { Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute) };

        var result = new DockerEngineOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, e => e.Contains(expected, StringComparison.Ordinal));
        var thrown = Assert.Throws<OptionsValidationException>(() => new DockerImageEngine(Options.Create(options)));
        Assert.Contains(expected, thrown.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(DockerEngineOptions), thrown.OptionsType);
    }

    [Fact]
    public void Validate_NegativeTimeout_IsAnError()
        => Assert.Contains(
            Problems(new DockerEngineOptions { Endpoint = new Uri("unix:///var/run/docker.sock"), RequestTimeout = TimeSpan.FromSeconds(-1) }),
            e => e.Contains("RequestTimeout", StringComparison.Ordinal));

    [Fact]
    public void Validate_ClientCertificateOnASocketOrWithoutKey_AreErrors()
    {
        using var key = ECDsa.Create();
        using var withKey = new CertificateRequest("CN=client", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var withoutKey = X509CertificateLoader.LoadCertificate(withKey.Export(X509ContentType.Cert));

        var onSocket = Problems(new DockerEngineOptions { Endpoint = new Uri("unix:///var/run/docker.sock"), ClientCertificate = withKey });
        var noKey = Problems(new DockerEngineOptions { Endpoint = new Uri("tcp://127.0.0.1:2376"), ClientCertificate = withoutKey });

        Assert.Contains(onSocket, e => e.Contains("needs a tcp:// or https:// endpoint", StringComparison.Ordinal));
        Assert.Contains(noKey, e => e.Contains("has no private key", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_SeveralProblems_ThrowsOptionsValidationExceptionListingEachWithItsFix()
    {
        var options = Options.Create(new DockerEngineOptions { Endpoint = new Uri("ssh://me@docker.example.com"), RequestTimeout = TimeSpan.FromSeconds(-1) });

        var error = Assert.Throws<OptionsValidationException>(() => new DockerImageEngine(options));

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("unsupported scheme 'ssh'", StringComparison.Ordinal) && f.Contains("unix://", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RequestTimeout must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNullException()
        => Assert.Throws<ArgumentNullException>("options", () => new DockerImageEngine(null!));

    [Fact]
    public void Constructor_Parameterless_UsesTheDefaultEndpoint()
    {
        using var engine = new DockerImageEngine();

        Assert.Equal(DockerEngineOptions.GetDefaultEndpoint(), engine.Endpoint);
    }

    private static IReadOnlyList<string> Problems(DockerEngineOptions options) => DockerEngineOptionsValidator.Problems(options);
}
