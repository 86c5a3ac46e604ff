using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CsCheck;

namespace Registries.Core.HostConfiguration.Tests;

public sealed class CertificateFingerprintTests
{
    [Fact]
    public void Of_Certificate_IsUppercaseColonSeparatedSha256()
    {
        using var key = ECDsa.Create();
        using var certificate = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        var fingerprint = CertificateFingerprint.Of(certificate).ToString();

        Assert.Equal(BitConverter.ToString(SHA256.HashData(certificate.RawData)).Replace('-', ':'), fingerprint);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint);
    }

    [Fact]
    public void Parse_AnyCaseWithOrWithoutColons_RoundTrips()
    {
        Gen.Byte.Array[32].Sample(bytes =>
        {
            var colons = BitConverter.ToString(bytes).Replace('-', ':');
            var expected = CertificateFingerprint.Parse(colons);
            Assert.Equal(colons, expected.ToString());
            Assert.Equal(expected, CertificateFingerprint.Parse(colons.ToLowerInvariant()));
            Assert.Equal(expected, CertificateFingerprint.Parse(Convert.ToHexString(bytes)));
            Assert.Equal(expected, CertificateFingerprint.Parse(Convert.ToHexStringLower(bytes)));
            Assert.Equal(expected, CertificateFingerprint.Parse("sha256 Fingerprint=" + colons));
            Assert.Equal(expected.GetHashCode(), CertificateFingerprint.Parse(colons.ToLowerInvariant()).GetHashCode());
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("AB:CD")]
    [InlineData("ZZ00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("A:BCD000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000000000")]
    public void TryParse_NotAFingerprint_ReturnsFalseAndParseThrowsFormatException(string text)
    {
        Assert.False(CertificateFingerprint.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => CertificateFingerprint.Parse(text));
        Assert.Contains("64 hex digits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse() => Assert.False(CertificateFingerprint.TryParse(null, out _));
}
