using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Registries.Core.HostConfiguration;

/// <summary>Reads the certificate chain a registry presents over TLS and installs it where Docker looks: <c>certs.d/HOST:PORT/ca.crt</c>, and optionally a CA bundle.</summary>
/// <remarks>
/// <para>This is trust on first use: whatever the server presents is installed. Give an expected fingerprint, obtained
/// from the registry's administrator or from <see cref="FetchAsync"/> shown to a person, to make the decision explicit;
/// a mismatch installs nothing.</para>
/// <para><c>ca.crt</c> receives the whole presented chain. Docker (Go) trusts every certificate of <c>ca.crt</c> as a root and
/// accepts a server certificate that is itself in the pool, so this works for a self-signed server certificate, for one
/// signed by a private CA that the server sends along (and keeps working when the server certificate is renewed by that
/// CA), and for a chain that stops at an intermediate. Taking only the first certificate, as
/// <c>openssl s_client | openssl x509</c> does, breaks at the first renewal.</para>
/// <para>Files are replaced atomically and keep their permission bits. The instance holds no state and may be shared.</para>
/// </remarks>
public sealed class RegistryCertificateInstaller
{
    private const int DefaultTlsPort = 443;
    private readonly DockerHostOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The paths and the connect timeout; <c>Options.Create(new DockerHostOptions())</c> for the standard locations. The values are copied.</param>
    /// <param name="loggerFactory">Where each written file is logged (path, registry, fingerprint), or <see langword="null"/> for no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its value is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException"><see cref="DockerHostOptions.CertificatesDirectory"/> or a given <see cref="DockerHostOptions.CaBundlePath"/> is empty or relative,
    /// <see cref="DockerHostOptions.ConnectTimeout"/> is not positive or longer than an hour, or another rule of <see cref="DockerHostOptions"/> is broken; the failures say what to fix.</exception>
    public RegistryCertificateInstaller(IOptions<DockerHostOptions> options, ILoggerFactory? loggerFactory = null)
    {
        _options = DockerHostOptionsValidator.ValidatedCopy(options);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RegistryCertificateInstaller>();
    }

    /// <summary>Returns the folder Docker reads for a registry: the certs.d root joined with <c>HOST:PORT</c>, or the host alone when the address has no port.</summary>
    /// <param name="address">The registry.</param>
    /// <returns>The folder path.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public string GetCertificateDirectory(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Path.Combine(_options.CertificatesDirectory, address.ToString());
    }

    /// <summary>Connects to the registry over TLS and returns the certificates it presents, without trusting or installing them.</summary>
    /// <param name="address">The registry; port 443 when it has none.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>The presented chain, server certificate first, with SHA-256 fingerprints.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="DockerHostConfigurationException">The host cannot be reached (<see cref="DockerHostConfigurationError.HostUnreachable"/>) or does not speak TLS (<see cref="DockerHostConfigurationError.TlsHandshakeFailed"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<RegistryCertificateChain> FetchAsync(RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var port = address.Port ?? DefaultTlsPort;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);

        // A host name may resolve to IPv4 and IPv6 addresses: the default client tries each of them.
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address.Host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw Unreachable(address, port, e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(address, port, $"no connection within {_options.ConnectTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds", e);
        }

        var presented = new List<X509Certificate2>();
        var stream = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await using (stream.ConfigureAwait(false))
        {
            var authentication = new SslClientAuthenticationOptions
            {
                TargetHost = address.Host,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,

                // Nothing is sent over this connection: it only collects what the server presents, trusted or not.
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    Collect(presented, certificate, chain);
                    return true;
                },
            };

            try
            {
                await stream.AuthenticateAsClientAsync(authentication, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                Dispose(presented);
                throw new DockerHostConfigurationException(
                    DockerHostConfigurationError.TlsHandshakeFailed,
                    $"The registry '{address}' accepted a connection on port {port} but did not complete a TLS handshake ({e.Message}). Check that it serves HTTPS on that port; an HTTP-only registry needs no certificate but an insecure-registries entry.",
                    innerException: e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                Dispose(presented);
                throw Unreachable(address, port, $"no TLS handshake within {_options.ConnectTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds", e);
            }
        }

        if (presented.Count == 0)
        {
            throw new DockerHostConfigurationException(
                DockerHostConfigurationError.TlsHandshakeFailed,
                $"The registry '{address}' completed a TLS handshake on port {port} without presenting a certificate; there is nothing to install.");
        }

        var certificates = presented.Select(c => new RegistryCertificate(c)).ToList();
        Dispose(presented);
        return new RegistryCertificateChain(address, certificates);
    }

    /// <summary>Fetches the chain the registry presents and installs it as <c>certs.d/HOST:PORT/ca.crt</c>, and in the CA bundle when asked.</summary>
    /// <param name="address">The registry; port 443 is used to connect when it has none, and the folder is then named after the host alone.</param>
    /// <param name="expectedFingerprint">The SHA-256 fingerprint one of the presented certificates must have (the server's own or a CA's that signs it), or <see langword="null"/> to trust what is presented.</param>
    /// <param name="appendToBundle"><see langword="true"/> to append the certificates that <see cref="DockerHostOptions.CaBundlePath"/> does not hold yet.</param>
    /// <param name="dryRun"><see langword="true"/> to only say what would change, writing nothing.</param>
    /// <param name="cancellationToken">Cancels the connection and the reads; once writing began, the files are completed, so none is left half-done.</param>
    /// <returns>The chain, its fingerprint, the path of <c>ca.crt</c> and what changed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="appendToBundle"/> is <see langword="true"/> but <see cref="DockerHostOptions.CaBundlePath"/> is not set.</exception>
    /// <exception cref="DockerHostConfigurationException">The host cannot be reached or does not speak TLS, no presented certificate has the expected fingerprint
    /// (<see cref="DockerHostConfigurationError.FingerprintMismatch"/>), or <c>ca.crt</c> or the bundle is not a regular file or is larger than 16 MiB
    /// (<see cref="DockerHostConfigurationError.UnsupportedFile"/>), in which cases nothing was changed; or a file cannot be written (<see cref="DockerHostConfigurationError.FileAccess"/>), which is left as it was.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before anything was written.</exception>
    public async Task<CertificateInstallResult> InstallAsync(
        RegistryAddress address,
        CertificateFingerprint? expectedFingerprint = null,
        bool appendToBundle = false,
        bool dryRun = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bundlePath = appendToBundle
            ? _options.CaBundlePath ?? throw new InvalidOperationException("Appending to a CA bundle was asked but DockerHostOptions.CaBundlePath is not set; set it, for example to DockerHostOptions.SystemCaBundlePath.")
            : null;

        var chain = await FetchAsync(address, cancellationToken).ConfigureAwait(false);
        if (expectedFingerprint is not null)
        {
            Verify(chain, expectedFingerprint);
        }

        var directory = GetCertificateDirectory(address);
        var caPath = Path.Combine(directory, "ca.crt");
        var presentedDer = chain.Certificates.Select(c => c.GetRawData()).ToList();
        var pem = Encoding.ASCII.GetBytes(chain.ToPem());

        var changes = new List<HostFileChange>();
        var existingCa = await HostFile.ReadIfExistsAsync(caPath, HostFile.CertificateFileLimit, cancellationToken).ConfigureAwait(false);
        var existingCaCertificates = PemCertificates.Read(existingCa);
        var caUnchanged = existingCaCertificates.Count == presentedDer.Count
            && existingCaCertificates.Zip(presentedDer).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        byte[]? caContent = caUnchanged ? null : pem;
        changes.Add(new HostFileChange(
            caPath,
            caUnchanged ? FileChangeKind.Unchanged : existingCa is null ? FileChangeKind.Created : FileChangeKind.Updated,
            caUnchanged
                ? $"already holds the {Count(presentedDer.Count)} presented by '{address}'"
                : $"{(existingCa is null ? "wrote" : "replaced its content with")} the {Count(presentedDer.Count)} presented by '{address}' (server certificate SHA-256 {chain.ServerCertificate.Fingerprint})"));

        byte[]? bundleContent = null;
        if (bundlePath is not null)
        {
            var existingBundle = await HostFile.ReadIfExistsAsync(bundlePath, HostFile.CertificateFileLimit, cancellationToken).ConfigureAwait(false);
            var held = PemCertificates.Read(existingBundle);
            var missing = chain.Certificates.Where(c => !PemCertificates.ContainsCertificate(held, c.Der)).ToList();
            if (missing.Count > 0)
            {
                var builder = new StringBuilder();
                if (existingBundle is { Length: > 0 } && existingBundle[^1] != (byte)'\n')
                {
                    builder.Append('\n');
                }

                foreach (var certificate in missing)
                {
                    builder.Append(certificate.Pem).Append('\n');
                }

                bundleContent = [.. existingBundle ?? [], .. Encoding.ASCII.GetBytes(builder.ToString())];
            }

            changes.Add(new HostFileChange(
                bundlePath,
                missing.Count == 0 ? FileChangeKind.Unchanged : existingBundle is null ? FileChangeKind.Created : FileChangeKind.Updated,
                missing.Count == 0 ? $"already holds the {Count(presentedDer.Count)} presented by '{address}'" : $"appended {Count(missing.Count)} presented by '{address}'"));
        }

        if (!dryRun && (caContent is not null || bundleContent is not null))
        {
            // The last moment a cancellation is honoured: after it, ca.crt and the bundle are both written.
            cancellationToken.ThrowIfCancellationRequested();
            if (caContent is not null)
            {
                // HostFile.WriteAsync creates the HOST:PORT folder (0755) when it is missing.
                await HostFile.WriteAsync(caPath, caContent).ConfigureAwait(false);
                HostConfigurationLog.CertificateFileWritten(_logger, address.ToString(), changes[0].Kind, caPath, changes[0].Description);
            }

            if (bundleContent is not null)
            {
                await HostFile.WriteAsync(bundlePath!, bundleContent).ConfigureAwait(false);
                HostConfigurationLog.CertificateFileWritten(_logger, address.ToString(), changes[1].Kind, bundlePath!, changes[1].Description);
            }
        }

        return new CertificateInstallResult(chain, caPath, changes, bundlePath, dryRun);
    }

    private static void Verify(RegistryCertificateChain chain, CertificateFingerprint expected)
    {
        var index = -1;
        for (var i = 0; i < chain.Certificates.Count; i++)
        {
            if (chain.Certificates[i].Fingerprint == expected)
            {
                index = i;
                break;
            }
        }

        if (index == 0)
        {
            return;
        }

        // A CA certificate anyone can copy is only proof when the server's certificate chains up to it.
        if (index > 0 && CertificateSignature.ChainsTo(chain.Certificates, chain.Certificates[index]))
        {
            return;
        }

        var presented = string.Join("; ", chain.Certificates.Select(c => $"{c.Subject}: {c.Fingerprint}"));
        var reason = index < 0
            ? "no certificate it presents has that fingerprint"
            : "the certificate with that fingerprint does not sign the server's certificate";
        throw new DockerHostConfigurationException(
            DockerHostConfigurationError.FingerprintMismatch,
            $"The registry '{chain.Address}' was expected to present the SHA-256 fingerprint {expected}, but {reason} (presented: {presented}). Nothing was installed. Check with the registry's administrator: the server may have a new certificate, or the connection may be intercepted.");
    }

    private static void Collect(List<X509Certificate2> presented, X509Certificate? certificate, X509Chain? chain)
    {
        if (certificate is not null)
        {
            presented.Add(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        }

        // SslStream puts the other certificates the server sent into the chain policy's extra store, in the order received.
        if (chain is not null)
        {
            foreach (var extra in chain.ChainPolicy.ExtraStore)
            {
                if (!presented.Any(p => p.RawData.AsSpan().SequenceEqual(extra.RawData)))
                {
                    presented.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
                }
            }
        }
    }

    private static void Dispose(List<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    private static string Count(int n) => n == 1 ? "1 certificate" : n.ToString(CultureInfo.InvariantCulture) + " certificates";

    private static DockerHostConfigurationException Unreachable(RegistryAddress address, int port, string detail, Exception inner)
        => new(
            DockerHostConfigurationError.HostUnreachable,
            $"Could not connect to the registry '{address}' on port {port}: {detail}. Check the host name, the port and that the registry is running and reachable from this host.",
            innerException: inner);
}
