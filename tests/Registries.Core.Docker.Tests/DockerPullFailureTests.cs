using System.Net;
using Registries.Core.Engine;

namespace Registries.Core.Docker.Tests;

/// <summary>The mapping of the Engine's failure texts; the texts are those dockerd 20.10 gave against the real services.</summary>
public sealed class DockerPullFailureTests
{
    private const string Secret = "Canary-S3cret:é/+=";

    [Theory]
    [InlineData("unauthorized: authentication required", 500, false, ImagePullError.Unauthorized)]
    [InlineData("error parsing HTTP 400 response body: invalid character 'C' looking for beginning of value: \"Client sent an HTTP request to an HTTPS server.\\n\"", 500, true, ImagePullError.Unauthorized)]
    [InlineData("read tcp 127.0.0.1:48228->127.0.0.1:39603: read: connection reset by peer", 500, true, ImagePullError.Unauthorized)]
    [InlineData("read tcp 127.0.0.1:48228->127.0.0.1:39603: read: connection reset by peer", 500, false, ImagePullError.RegistryUnreachable)]
    [InlineData("manifest for 127.0.0.1:39603/test/nope:1.0 not found: manifest unknown: manifest unknown", 404, false, ImagePullError.NotFound)]
    [InlineData("manifest for 127.0.0.1:39603/test/hello:9.9 not found: manifest unknown: manifest unknown", 404, false, ImagePullError.NotFound)]
    [InlineData("Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused", 500, true, ImagePullError.RegistryUnreachable)]
    [InlineData("Get \"https://nonexistent.invalid/v2/\": dial tcp: lookup nonexistent.invalid on 10.255.255.53:53: no such host", 500, true, ImagePullError.RegistryUnreachable)]
    [InlineData("Get \"https://10.213.0.2:5000/v2/\": x509: certificate signed by unknown authority", 500, false, ImagePullError.CertificateNotTrusted)]
    [InlineData("pull access denied for foo, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", 404, true, ImagePullError.Unauthorized)]
    [InlineData("failed to register layer: no space left on device", null, false, ImagePullError.Failed)]
    public void Classify_DockerdText_MapsToTheErrorKind(string text, int? status, bool anonymous, ImagePullError expected)
        => Assert.Equal(expected, DockerPullFailure.Classify(text, (HttpStatusCode?)status, anonymous));

    [Fact]
    public void Create_Unauthorized_NamesTheEntryAndHowToFixItWithoutThePassword()
    {
        var image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");
        var resolution = CredentialResolution.Authenticated(image, Entry(), new RegistrySecret(Secret));

        var error = DockerPullFailure.Create($"unauthorized: authentication required (sent {Secret})", HttpStatusCode.InternalServerError, resolution);

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Same(image, error.Image);
        Assert.Contains("reg-7", error.Message, StringComparison.Ordinal);
        Assert.Contains("user 'ci-bot'", error.Message, StringComparison.Ordinal);
        Assert.Contains("edit it", error.Message, StringComparison.Ordinal);
        Assert.Contains("unauthorized: authentication required", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Get \"https://registry.example.com:5000/v2/\": x509: certificate signed by unknown authority", "certs.d/registry.example.com:5000/ca.crt")]
    [InlineData("manifest for registry.example.com:5000/team/app:1.0 not found: manifest unknown: manifest unknown", "tag '1.0'")]
    [InlineData("Get \"https://registry.example.com:5000/v2/\": dial tcp: lookup registry.example.com: no such host", "DNS")]
    public void Create_EachKind_SaysWhatToDoNext(string text, string advice)
    {
        var image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");
        var resolution = CredentialResolution.Authenticated(image, Entry(), new RegistrySecret(Secret));

        var error = DockerPullFailure.Create(text, null, resolution);

        Assert.Contains(advice, error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AnonymousRefusal_SuggestsAddingACredential()
    {
        var image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");

        var error = DockerPullFailure.Create("unauthorized: authentication required", null, CredentialResolution.Anonymous(image));

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Contains("anonymous", error.Message, StringComparison.Ordinal);
        Assert.Contains("--address registry.example.com:5000", error.Message, StringComparison.Ordinal);
    }

    private static Registry Entry()
        => new("reg-7", "env-1", RegistryAddress.Parse("registry.example.com:5000"), RegistryState.Active, "ops@example.com", "ci-bot", sequence: 1, version: 1);
}
