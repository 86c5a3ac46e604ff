using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Registries.Core.HostConfiguration;

/// <summary>The SHA-256 fingerprint of a certificate, written as <c>openssl x509 -fingerprint -sha256</c> does: uppercase hex pairs separated by colons.</summary>
/// <remarks>Parsing accepts the hex digits with or without colons, in any case. Instances are immutable.</remarks>
public sealed class CertificateFingerprint : IEquatable<CertificateFingerprint>
{
    private const int Length = 32;
    private readonly byte[] _hash;

    private CertificateFingerprint(byte[] hash) => _hash = hash;

    /// <summary>Computes the fingerprint of a certificate's DER encoding.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The SHA-256 fingerprint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    public static CertificateFingerprint Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new CertificateFingerprint(SHA256.HashData(certificate.RawData));
    }

    /// <summary>Parses a SHA-256 fingerprint.</summary>
    /// <param name="s">64 hex digits, optionally in colon-separated pairs, any case; an <c>sha256 Fingerprint=</c> prefix is allowed.</param>
    /// <returns>The fingerprint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is not a SHA-256 fingerprint; the message says what is expected.</exception>
    public static CertificateFingerprint Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, out var result)
            ? result
            : throw new FormatException($"'{s}' is not a SHA-256 certificate fingerprint: give 64 hex digits, with or without colons, for example as printed by 'openssl x509 -noout -fingerprint -sha256'.");
    }

    /// <summary>Tries to parse a SHA-256 fingerprint; never throws.</summary>
    /// <param name="s">The text, or <see langword="null"/>.</param>
    /// <param name="result">The fingerprint, or <see langword="null"/> when the text is not one.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a fingerprint.</returns>
    public static bool TryParse([NotNullWhen(true)] string? s, [NotNullWhen(true)] out CertificateFingerprint? result)
    {
        result = null;
        if (s is null)
        {
            return false;
        }

        var text = s.Trim();
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0 && text.StartsWith("sha256", StringComparison.OrdinalIgnoreCase))
        {
            text = text[(equals + 1)..].Trim();
        }

        var hex = text.Replace(":", string.Empty, StringComparison.Ordinal);
        if (hex.Length != Length * 2 || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        // Colons, when used, must separate every pair.
        if (text.Contains(':', StringComparison.Ordinal) && text.Length != (Length * 3) - 1)
        {
            return false;
        }

        result = new CertificateFingerprint(Convert.FromHexString(hex));
        return true;
    }

    /// <summary>Returns the fingerprint as uppercase hex pairs separated by colons.</summary>
    /// <returns>The text, for example <c>AB:CD:...</c>.</returns>
    public override string ToString() => BitConverter.ToString(_hash).Replace('-', ':');

    /// <inheritdoc/>
    public bool Equals(CertificateFingerprint? other) => other is not null && _hash.AsSpan().SequenceEqual(other._hash);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as CertificateFingerprint);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_hash, 0);

    /// <summary>Compares two fingerprints for equality.</summary>
    /// <param name="left">The first fingerprint.</param>
    /// <param name="right">The second fingerprint.</param>
    /// <returns><see langword="true"/> when both are equal or both are <see langword="null"/>.</returns>
    public static bool operator ==(CertificateFingerprint? left, CertificateFingerprint? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two fingerprints for inequality.</summary>
    /// <param name="left">The first fingerprint.</param>
    /// <param name="right">The second fingerprint.</param>
    /// <returns><see langword="true"/> when the fingerprints differ.</returns>
    public static bool operator !=(CertificateFingerprint? left, CertificateFingerprint? right) => !(left == right);
}
