using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

[Trait("Category", "Integration")]
public sealed class RegistryCertificateInstallerTests : IDisposable
{
    private readonly TestDirectory _temp = HostLayout.Create();
    private readonly TestServices _services = TestServices.Require();

    public void Dispose() => _temp.Dispose();

    private RegistryAddress Address => RegistryAddress.Parse(_services.Registry);

    private static byte[] Der(string pemPath)
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(pemPath);
        return certificate.RawData;
    }

    private static string Fingerprint(string pemPath) => BitConverter.ToString(SHA256.HashData(Der(pemPath))).Replace('-', ':');

    [Fact]
    public async Task FetchAsync_TestRegistry_ReturnsTheServedChainInOrder()
    {
        var chain = await _temp.Installer().FetchAsync(Address);

        Assert.Equal(Address, chain.Address);
        Assert.Equal(2, chain.Certificates.Count);
        Assert.Equal(Der(_services.RegistryCert), chain.Certificates[0].GetRawData());
        Assert.Equal(Der(_services.RegistryCa), chain.Certificates[1].GetRawData());
        Assert.Equal(Fingerprint(_services.RegistryCert), chain.ServerCertificate.Fingerprint.ToString());
        Assert.False(chain.ServerCertificate.IsSelfSigned);
        Assert.True(chain.Certificates[1].IsSelfSigned);
        Assert.True(chain.Certificates[1].IsCertificateAuthority);
        Assert.Contains("registries-test-registry", chain.ServerCertificate.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallAsync_HostName_ConnectsByNameAndNamesTheFolderAfterIt()
    {
        var port = Address.Port!.Value;
        var address = RegistryAddress.Parse($"localhost:{port}");

        var result = await _temp.Installer().InstallAsync(address);

        Assert.Equal(Path.Combine(_temp.HostOptions().CertificatesDirectory, $"localhost:{port}", "ca.crt"), result.CaCertificatePath);
        Assert.Equal(Fingerprint(_services.RegistryCert), result.Fingerprint.ToString());
    }

    [Fact]
    public async Task InstallAsync_TestRegistry_WritesThePresentedChainAsCaCrt()
    {
        var installer = _temp.Installer();

        var result = await installer.InstallAsync(Address);

        var expectedPath = Path.Combine(_temp.HostOptions().CertificatesDirectory, _services.Registry, "ca.crt");
        Assert.Equal(expectedPath, result.CaCertificatePath);
        Assert.True(result.CaCertificateChanged);
        Assert.False(result.RestartRequired);
        Assert.Equal(Fingerprint(_services.RegistryCert), result.Fingerprint.ToString());
        var installed = new X509Certificate2Collection();
        installed.ImportFromPemFile(expectedPath);
        Assert.Equal([Der(_services.RegistryCert), Der(_services.RegistryCa)], installed.Select(c => c.RawData));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(expectedPath));

        var again = await installer.InstallAsync(Address);

        Assert.False(again.CaCertificateChanged);
        Assert.Equal(FileChangeKind.Unchanged, Assert.Single(again.Changes).Kind);
    }

    [Fact]
    public async Task InstallAsync_CertDirectory_SkopeoAcceptsTheRegistryWithItAndRefusesWithout()
    {
        var installer = _temp.Installer();
        var certDirectory = installer.GetCertificateDirectory(Address);
        string[] Arguments(string directory) =>
            ["inspect", "--tls-verify=true", "--cert-dir", directory, "--creds", _services.User + ":" + _services.Password, $"docker://{_services.Registry}/{_services.Image}"];

        Directory.CreateDirectory(certDirectory);
        var before = await Processes.RunAsync(_services.Skopeo, Arguments(certDirectory));
        Assert.NotEqual(0, before.ExitCode);
        Assert.Contains("x509", before.Error, StringComparison.Ordinal);

        await installer.InstallAsync(Address);
        var after = await Processes.RunAsync(_services.Skopeo, Arguments(certDirectory));

        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Contains("\"Digest\"", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallAsync_BundleTwice_HoldsEachCertificateOnceAndCurlAcceptsTheRegistry()
    {
        var options = _temp.HostOptions(bundle: true);
        var bundle = options.CaBundlePath!;
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!);
        var existing = await File.ReadAllTextAsync(_services.TokenCert);
        await File.WriteAllTextAsync(bundle, "# other authorities\n" + existing.TrimEnd('\n'));
        File.SetUnixFileMode(bundle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        string[] curl = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", bundle, $"https://{_services.Registry}/v2/"];

        var refused = await Processes.RunAsync("curl", curl);
        Assert.Equal(60, refused.ExitCode);

        var installer = new RegistryCertificateInstaller(Options.Create(options));
        var first = await installer.InstallAsync(Address, appendToBundle: true);
        var second = await installer.InstallAsync(Address, appendToBundle: true);

        Assert.True(first.BundleChanged);
        Assert.True(first.RestartRequired);
        Assert.False(second.BundleChanged);
        Assert.False(second.RestartRequired);
        var text = await File.ReadAllTextAsync(bundle);
        Assert.StartsWith("# other authorities\n" + existing, text, StringComparison.Ordinal);
        var held = new X509Certificate2Collection();
        held.ImportFromPemFile(bundle);
        Assert.Equal(3, held.Count);
        Assert.Single(held, c => c.RawData.AsSpan().SequenceEqual(Der(_services.RegistryCa)));
        Assert.Single(held, c => c.RawData.AsSpan().SequenceEqual(Der(_services.RegistryCert)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(bundle));

        var accepted = await Processes.RunAsync("curl", curl);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Equal("401", accepted.Output);
    }

    [Fact]
    public async Task InstallAsync_AppendWithoutBundlePath_ThrowsInvalidOperation()
        => await Assert.ThrowsAsync<InvalidOperationException>(() => _temp.Installer().InstallAsync(Address, appendToBundle: true));

    [Fact]
    public async Task InstallAsync_DryRun_ReportsThePlanAndWritesNothing()
    {
        var result = await _temp.Installer(bundle: true).InstallAsync(Address, appendToBundle: true, dryRun: true);

        Assert.True(result.DryRun);
        Assert.Equal([FileChangeKind.Created, FileChangeKind.Created], result.Changes.Select(c => c.Kind));
        Assert.True(result.RestartRequired);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task InstallAsync_ExpectedFingerprintOfServerOrItsCa_Installs(bool ofCa)
    {
        var expected = CertificateFingerprint.Parse(Fingerprint(ofCa ? _services.RegistryCa : _services.RegistryCert).Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant());

        var result = await _temp.Installer().InstallAsync(Address, expected);

        Assert.True(File.Exists(result.CaCertificatePath));
    }

    [Fact]
    public async Task InstallAsync_FingerprintMismatch_RefusesAndWritesNothing()
    {
        // The token issuer's certificate is real but has nothing to do with the registry's chain.
        var other = CertificateFingerprint.Parse(Fingerprint(_services.TokenCert));

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(
            () => _temp.Installer(bundle: true).InstallAsync(Address, other, appendToBundle: true));

        Assert.Equal(DockerHostConfigurationError.FingerprintMismatch, e.Error);
        Assert.Contains(other.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(Fingerprint(_services.RegistryCert), e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was installed", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task FetchAsync_ClosedPort_ThrowsHostUnreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(
            () => _temp.Installer().FetchAsync(RegistryAddress.Parse($"127.0.0.1:{port}")));

        Assert.Equal(DockerHostConfigurationError.HostUnreachable, e.Error);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_SilentServer_TimesOutAsHostUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = new DockerHostOptions { CertificatesDirectory = _temp.Path, ConnectTimeout = TimeSpan.FromSeconds(1) };

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(
            () => new RegistryCertificateInstaller(Options.Create(options)).FetchAsync(RegistryAddress.Parse($"127.0.0.1:{port}")));

        Assert.Equal(DockerHostConfigurationError.HostUnreachable, e.Error);
        Assert.Contains("1 seconds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_PlainHttpServer_ThrowsTlsHandshakeFailed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            _ = await stream.ReadAsync(new byte[1024]);
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        });

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(
            () => _temp.Installer().FetchAsync(RegistryAddress.Parse($"127.0.0.1:{port}")));
        await server;

        Assert.Equal(DockerHostConfigurationError.TlsHandshakeFailed, e.Error);
        Assert.Contains("HTTPS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallAsync_Cancelled_WritesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _temp.Installer(bundle: true).InstallAsync(Address, appendToBundle: true, cancellationToken: cancelled.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task InstallAsync_Written_LogsEachFileWithTheFingerprintOnce()
    {
        var collector = new FakeLogCollector();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(new FakeLoggerProvider(collector)));
        var installer = new RegistryCertificateInstaller(Options.Create(_temp.HostOptions(bundle: true)), factory);

        await installer.InstallAsync(Address, appendToBundle: true);
        await installer.InstallAsync(Address, appendToBundle: true);

        var records = collector.GetSnapshot();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(LogLevel.Information, r.Level));
        Assert.Contains(records, r => r.Message.Contains(Path.Combine(_temp.HostOptions().CertificatesDirectory, _services.Registry, "ca.crt"), StringComparison.Ordinal)
            && r.Message.Contains(Fingerprint(_services.RegistryCert), StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains(_temp.HostOptions(bundle: true).CaBundlePath!, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("registry.example.com:5000", "registry.example.com:5000")]
    [InlineData("registry.example.com", "registry.example.com")]
    [InlineData("[fe80::1]:5000", "[fe80::1]:5000")]
    public void GetCertificateDirectory_Address_FollowsDockersLayout(string address, string folder)
        => Assert.Equal(
            Path.Combine("/etc/docker/certs.d", folder),
            new RegistryCertificateInstaller(Options.Create(new DockerHostOptions())).GetCertificateDirectory(RegistryAddress.Parse(address)));
}
