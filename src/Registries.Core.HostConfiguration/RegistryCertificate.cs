using System.Security.Cryptography.X509Certificates;

namespace Registries.Core.HostConfiguration;

/// <summary>One certificate a registry presented during the TLS handshake.</summary>
/// <remarks>Immutable; holds the DER bytes, not an <see cref="X509Certificate2"/>, so there is nothing to dispose.</remarks>
public sealed class RegistryCertificate
{
    private readonly byte[] _der;

    internal RegistryCertificate(X509Certificate2 certificate)
    {
        _der = certificate.RawData;
        Subject = certificate.Subject;
        Issuer = certificate.Issuer;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        Fingerprint = CertificateFingerprint.Of(certificate);
        IsSelfSigned = certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
        IsCertificateAuthority = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
        Pem = certificate.ExportCertificatePem();
    }

    /// <summary>Gets the subject's distinguished name.</summary>
    public string Subject { get; }

    /// <summary>Gets the issuer's distinguished name.</summary>
    public string Issuer { get; }

    /// <summary>Gets the start of the validity period (UTC).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>Gets the end of the validity period (UTC).</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>Gets the SHA-256 fingerprint, for people to compare.</summary>
    public CertificateFingerprint Fingerprint { get; }

    /// <summary>Gets a value indicating whether the subject is its own issuer (a root or a self-signed server certificate).</summary>
    public bool IsSelfSigned { get; }

    /// <summary>Gets a value indicating whether the certificate may sign others (basic constraints CA).</summary>
    public bool IsCertificateAuthority { get; }

    /// <summary>Gets the certificate in PEM.</summary>
    public string Pem { get; }

    /// <summary>Returns a copy of the DER encoding.</summary>
    /// <returns>The bytes.</returns>
    public byte[] GetRawData() => (byte[])_der.Clone();

    /// <summary>Returns <c>subject (fingerprint)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Subject} (SHA-256 {Fingerprint})";

    internal ReadOnlySpan<byte> Der => _der;

    internal X509Certificate2 ToX509() => X509CertificateLoader.LoadCertificate(_der);
}
