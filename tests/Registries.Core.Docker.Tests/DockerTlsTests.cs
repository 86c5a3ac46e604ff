using Microsoft.Extensions.Options;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Registries.Core.Engine;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>TLS to a tcp:// Engine endpoint: the client certificate is presented and the server is checked against the given CA.</summary>
/// <remarks>The shared dockerd listens on a socket only, so a TLS listener with the registry's CA-signed certificate stands in for a --tlsverify dockerd.</remarks>
[Trait("Category", "Integration")]
public sealed class DockerTlsTests
{
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task ImageExistsAsync_ClientCertificateAndTrustedCa_PresentsTheCertificateOverTls()
    {
        using var server = ServerCertificate();
        using var client = ClientCertificate();
        using var ca = X509CertificateLoader.LoadCertificateFromFile(_services.RegistryCa);
        await using var engineServer = new FakeEngineServer([(404, "{\"message\":\"no such image: registry.example.com/team/app:1.0: No such image: registry.example.com/team/app:1.0\"}")], server);
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions
        {
            Endpoint = new Uri($"tcp://127.0.0.1:{engineServer.Port}"),
            ClientCertificate = client,
            CertificateAuthority = ca,
        }));

        var present = await engine.ImageExistsAsync(ImageReference.Parse("registry.example.com/team/app:1.0"));

        Assert.False(present);
        Assert.Equal(client.Thumbprint, engineServer.ClientCertificate?.GetCertHashString());
    }

    [Fact]
    public async Task ImageExistsAsync_ServerNotSignedByTheCa_IsEngineUnavailable()
    {
        using var server = ServerCertificate();
        using var client = ClientCertificate();
        using var otherCa = ClientCertificate();
        await using var engineServer = new FakeEngineServer([(404, "{\"message\":\"No such image\"}")], server);
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions
        {
            Endpoint = new Uri($"tcp://127.0.0.1:{engineServer.Port}"),
            ClientCertificate = client,
            CertificateAuthority = otherCa,
        }));

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.ImageExistsAsync(ImageReference.Parse("registry.example.com/team/app:1.0")).AsTask());

        Assert.Equal(ImagePullError.EngineUnavailable, error.Error);
        Assert.Empty(engineServer.Requests);
    }

    private static X509Certificate2 ClientCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=registries-core-test-client", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    private X509Certificate2 ServerCertificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(_services.RegistryCert, _services.RegistryKey);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }
}
