namespace Registries.Core.HostConfiguration;

/// <summary>The certificates a registry presented during the TLS handshake, server certificate first, as <c>openssl s_client -showcerts</c> shows them.</summary>
public sealed class RegistryCertificateChain
{
    internal RegistryCertificateChain(RegistryAddress address, IReadOnlyList<RegistryCertificate> certificates)
    {
        Address = address;
        Certificates = certificates;
    }

    /// <summary>Gets the registry that presented the chain.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the certificates in the order the server sent them; the first is the server's own.</summary>
    public IReadOnlyList<RegistryCertificate> Certificates { get; }

    /// <summary>Gets the server's own certificate.</summary>
    public RegistryCertificate ServerCertificate => Certificates[0];

    /// <summary>Gets the chain in PEM, one certificate after the other: the content written to <c>ca.crt</c>.</summary>
    /// <returns>The PEM text, ending with a line break.</returns>
    public string ToPem() => string.Concat(Certificates.Select(c => c.Pem + "\n"));
}
