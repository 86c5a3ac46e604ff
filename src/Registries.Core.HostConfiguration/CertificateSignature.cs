using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Registries.Core.HostConfiguration;

/// <summary>Checks that one presented certificate signs another, without asking whether any of them is trusted.</summary>
/// <remarks>
/// X509Chain on Linux only accepts a chain that ends at a self-signed root, so it cannot prove that an intermediate
/// (the anchor an administrator may hand out) signs the server's certificate; the signature is checked directly.
/// RSA (PKCS#1 v1.5) and ECDSA with SHA-1/256/384/512 are supported; any other algorithm counts as not signed.
/// </remarks>
internal static class CertificateSignature
{
    /// <summary>Tells whether the certificates chain from the first to <paramref name="anchor"/>, each link verified.</summary>
    internal static bool ChainsTo(IReadOnlyList<RegistryCertificate> presented, RegistryCertificate anchor)
    {
        var certificates = presented.Select(c => c.ToX509()).ToList();
        try
        {
            var current = certificates[0];
            var visited = new HashSet<X509Certificate2>(ReferenceEqualityComparer.Instance) { current };
            while (!current.RawData.AsSpan().SequenceEqual(anchor.Der))
            {
                var issuer = certificates.FirstOrDefault(c =>
                    !visited.Contains(c)
                    && c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData)
                    && IsSignedBy(current, c));
                if (issuer is null)
                {
                    return false;
                }

                visited.Add(issuer);
                current = issuer;
            }

            return true;
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    internal static bool IsSignedBy(X509Certificate2 child, X509Certificate2 issuer)
    {
        try
        {
            var reader = new AsnReader(child.RawData, AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            var toBeSigned = certificate.ReadEncodedValue();
            var algorithm = certificate.ReadSequence().ReadObjectIdentifier();
            var signature = certificate.ReadBitString(out _);
            switch (algorithm)
            {
                case "1.2.840.113549.1.1.5" or "1.2.840.113549.1.1.11" or "1.2.840.113549.1.1.12" or "1.2.840.113549.1.1.13":
                    using (var rsa = issuer.GetRSAPublicKey())
                    {
                        return rsa is not null && rsa.VerifyData(toBeSigned.Span, signature, Hash(algorithm), RSASignaturePadding.Pkcs1);
                    }

                case "1.2.840.10045.4.1" or "1.2.840.10045.4.3.2" or "1.2.840.10045.4.3.3" or "1.2.840.10045.4.3.4":
                    using (var ecdsa = issuer.GetECDsaPublicKey())
                    {
                        return ecdsa is not null && ecdsa.VerifyData(toBeSigned.Span, signature, Hash(algorithm), DSASignatureFormat.Rfc3279DerSequence);
                    }

                default:
                    return false;
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    private static HashAlgorithmName Hash(string oid) => oid switch
    {
        "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };
}
