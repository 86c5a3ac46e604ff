using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>Chains the test registry does not have, served by <c>openssl s_server</c>, which sends exactly the certificates it is given.</summary>
[Trait("Category", "Integration")]
public sealed class ChainShapeTests : IAsyncLifetime
{
    private readonly TestDirectory _temp = HostLayout.Create();
    private readonly List<BackgroundProcess> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            // Killed: openssl s_server holds nothing that needs a clean stop.
            await server.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Fact]
    public async Task InstallAsync_SelfSignedServerCertificate_CurlAndSkopeoTrustIt()
    {
        var services = TestServices.Require();
        using var key = RSA.Create(2048);
        using var leaf = Create("CN=self-signed registry", key, issuer: null, isCa: false);
        var address = await ServeAsync(leaf, key, []);
        var installer = _temp.Installer();

        var result = await installer.InstallAsync(address, CertificateFingerprint.Of(leaf));

        var certificate = Assert.Single(result.Chain.Certificates);
        Assert.True(certificate.IsSelfSigned);
        Assert.Equal(leaf.RawData, certificate.GetRawData());
        await AssertCurlAsync(address, result.CaCertificatePath, accepted: true);
        await AssertCurlAsync(address, caFile: null, accepted: false);
        await AssertSkopeoTlsAsync(services, address, installer.GetCertificateDirectory(address), accepted: true);
        var empty = Directory.CreateDirectory(_temp.Combine("empty")).FullName;
        await AssertSkopeoTlsAsync(services, address, empty, accepted: false);
    }

    [Fact]
    public async Task InstallAsync_ChainEndingAtIntermediate_KeepsWorkingAfterTheServerCertificateIsRenewed()
    {
        var services = TestServices.Require();
        using var rootKey = RSA.Create(2048);
        using var root = Create("CN=private root", rootKey, issuer: null, isCa: true);
        using var intermediateKey = RSA.Create(2048);
        using var intermediate = Create("CN=private intermediate", intermediateKey, (root, rootKey), isCa: true);
        using var leafKey = RSA.Create(2048);
        using var leaf = Create("CN=registry", leafKey, (intermediate, intermediateKey), isCa: false);
        var address = await ServeAsync(leaf, leafKey, [intermediate]);
        var installer = _temp.Installer();

        // The administrator hands out the intermediate's fingerprint: it must be proven to sign the server's certificate.
        var result = await installer.InstallAsync(address, CertificateFingerprint.Of(intermediate));

        Assert.Equal([leaf.RawData, intermediate.RawData], result.Chain.Certificates.Select(c => c.GetRawData()));
        await AssertCurlAsync(address, result.CaCertificatePath, accepted: true);

        // A renewed server certificate from the same CA, on the same address: the installed ca.crt still holds the CA.
        using var renewedKey = RSA.Create(2048);
        using var renewed = Create("CN=registry renewed", renewedKey, (intermediate, intermediateKey), isCa: false);
        var renewedAddress = await ServeAsync(renewed, renewedKey, [intermediate]);
        var renewedDirectory = installer.GetCertificateDirectory(renewedAddress);
        Directory.CreateDirectory(renewedDirectory);
        File.Copy(result.CaCertificatePath, Path.Combine(renewedDirectory, "ca.crt"));
        await AssertCurlAsync(renewedAddress, result.CaCertificatePath, accepted: true);
        await AssertSkopeoTlsAsync(services, renewedAddress, renewedDirectory, accepted: true);
    }

    [Fact]
    public async Task InstallAsync_ExpectedCaPresentedButNotSigningTheServer_IsRefused()
    {
        // An interceptor can present any public CA certificate next to its own; the CA's fingerprint alone proves nothing.
        var services = TestServices.Require();
        using var realCa = X509CertificateLoader.LoadCertificateFromFile(services.RegistryCa);
        using var key = RSA.Create(2048);
        using var forged = Create("CN=registries-test-registry", key, issuer: null, isCa: false);
        var address = await ServeAsync(forged, key, [realCa]);

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(
            () => _temp.Installer().InstallAsync(address, CertificateFingerprint.Of(realCa)));

        Assert.Equal(DockerHostConfigurationError.FingerprintMismatch, e.Error);
        Assert.Contains("does not sign the server's certificate", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.HostOptions().CertificatesDirectory));
    }

    private static X509Certificate2 Create(string subject, RSA key, (X509Certificate2 Certificate, RSA Key)? issuer, bool isCa)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (isCa)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        }
        else
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        }

        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        if (issuer is not { } signer)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer.Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signed = request.Create(signer.Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(signer.Key, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(signed.RawData);
    }

    private async Task<RegistryAddress> ServeAsync(X509Certificate2 leaf, RSA key, X509Certificate2[] chain)
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        var certPath = _temp.Combine(name + ".crt");
        var keyPath = _temp.Combine(name + ".key");
        var chainPath = _temp.Combine(name + ".chain");
        await File.WriteAllTextAsync(certPath, leaf.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(chainPath, string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")));

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        string[] arguments = ["s_server", "-quiet", "-accept", $"127.0.0.1:{port}", "-cert", certPath, "-key", keyPath, "-www"];
        var server = new BackgroundProcess("openssl", chain.Length > 0 ? [.. arguments, "-cert_chain", chainPath] : arguments);
        _servers.Add(server);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(100);
            }
        }

        return RegistryAddress.Parse($"127.0.0.1:{port}");
    }

    // Without a CA file curl uses the system store, which does not hold these certificates.
    private static async Task AssertCurlAsync(RegistryAddress address, string? caFile, bool accepted)
    {
        List<string> arguments = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", $"https://{address}/"];
        if (caFile is not null)
        {
            arguments.InsertRange(0, ["--cacert", caFile]);
        }

        var result = await Processes.RunAsync("curl", arguments);
        if (accepted)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("200", result.Output);
        }
        else
        {
            Assert.True(result.ExitCode == 60, result.ToString());
        }
    }

    // skopeo speaks the registry protocol, which s_server does not: what matters is whether Go's TLS verification passed.
    private static async Task AssertSkopeoTlsAsync(TestServices services, RegistryAddress address, string certDirectory, bool accepted)
    {
        var result = await Processes.RunAsync(services.Skopeo, ["inspect", "--tls-verify=true", "--cert-dir", certDirectory, $"docker://{address}/test/hello:1.0"]);

        Assert.NotEqual(0, result.ExitCode);
        if (accepted)
        {
            Assert.DoesNotContain("x509", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("certificate", result.Error, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            Assert.Contains("x509", result.Error, StringComparison.Ordinal);
        }
    }
}
