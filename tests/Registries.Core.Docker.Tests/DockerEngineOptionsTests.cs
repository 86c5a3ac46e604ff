using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
        => Assert.Empty(new DockerEngineOptions { Endpoint = new Uri(endpoint), RequestTimeout = TimeSpan.FromSeconds(5) }.Validate());

    [Theory]
    [InlineData("docker.sock", "relative")]
    [InlineData("ssh://me@docker.example.com", "unsupported scheme 'ssh'")]
    [InlineData("tcp://docker.example.com", "needs a host and a port")]
    [InlineData("unix:///", "names no socket path")]
    public void Validate_BadEndpoint_SaysWhatIsWrong(string endpoint, string expected)
    {
        var options = new DockerEngineOptions { Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute) };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        var thrown = Assert.Throws<ArgumentException>(() => new DockerImageEngine(options));
        Assert.Contains(expected, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeTimeout_IsAnError()
        => Assert.Contains(
            new DockerEngineOptions { Endpoint = new Uri("unix:///var/run/docker.sock"), RequestTimeout = TimeSpan.FromSeconds(-1) }.Validate(),
            e => e.Contains("RequestTimeout", StringComparison.Ordinal));

    [Fact]
    public void Validate_ClientCertificateOnASocketOrWithoutKey_AreErrors()
    {
        using var key = ECDsa.Create();
        using var withKey = new CertificateRequest("CN=client", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var withoutKey = X509CertificateLoader.LoadCertificate(withKey.Export(X509ContentType.Cert));

        var onSocket = new DockerEngineOptions { Endpoint = new Uri("unix:///var/run/docker.sock"), ClientCertificate = withKey }.Validate();
        var noKey = new DockerEngineOptions { Endpoint = new Uri("tcp://127.0.0.1:2376"), ClientCertificate = withoutKey }.Validate();

        Assert.Contains(onSocket, e => e.Contains("needs a tcp:// or https:// endpoint", StringComparison.Ordinal));
        Assert.Contains(noKey, e => e.Contains("has no private key", StringComparison.Ordinal));
    }
}
