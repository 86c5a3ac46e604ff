using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Registries.Core.Interop;

/// <summary>The TLS trust the host's Docker would use for one handshake: the system store, plus the CA certificates of
/// the certs.d folders of the hosts the handshake talks to.</summary>
internal sealed class RegistryTrust : IDisposable
{
    private readonly string _certificatesDirectory;
    private readonly bool _skipVerification;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _loadedFolders = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2Collection _anchors = [];

    public RegistryTrust(string certificatesDirectory, bool skipVerification)
    {
        _certificatesDirectory = certificatesDirectory;
        _skipVerification = skipVerification;
    }

    /// <summary>Gets the folder that holds the CA certificates of a host, in Docker's layout.</summary>
    public string FolderFor(string authority) => Path.Combine(_certificatesDirectory, authority);

    /// <summary>Adds the <c>*.crt</c> files of <c>certs.d/{authority}</c> to the trusted roots.</summary>
    public void AddAuthority(string authority)
    {
        var folder = FolderFor(authority);
        lock (_lock)
        {
            if (!_loadedFolders.Add(folder) || !Directory.Exists(folder))
            {
                return;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.crt").Order(StringComparer.Ordinal))
            {
                try
                {
                    var bundle = new X509Certificate2Collection();
                    bundle.ImportFromPemFile(file);
                    _anchors.AddRange(bundle);
                }
                catch (CryptographicException)
                {
                    // A file Docker could not read either: it adds no trust.
                }
            }
        }
    }

    /// <summary>Gets a value indicating whether a server presented a certificate: a TLS failure without one was no certificate problem.</summary>
    public bool SawCertificate { get; private set; }

    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        SawCertificate |= certificate is not null;
        if (errors == SslPolicyErrors.None || _skipVerification)
        {
            return true;
        }

        // A name mismatch or a missing certificate is never forgiven; only an unknown issuer may be fixed by certs.d.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        lock (_lock)
        {
            if (_anchors.Count == 0)
            {
                return false;
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.CustomTrustStore.AddRange(_anchors);
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(leaf);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var anchor in _anchors)
            {
                anchor.Dispose();
            }

            _anchors.Clear();
        }
    }
}
