using System.Text;

namespace Registries.Core.HostConfiguration;

/// <summary>Finds the certificates (DER bytes) in a PEM file such as a CA bundle, tolerating any other text around them.</summary>
internal static class PemCertificates
{
    private const string Begin = "-----BEGIN CERTIFICATE-----";
    private const string End = "-----END CERTIFICATE-----";

    internal static List<byte[]> Read(byte[]? content)
    {
        var result = new List<byte[]>();
        if (content is null)
        {
            return result;
        }

        var text = Encoding.Latin1.GetString(content);
        var position = 0;
        while (true)
        {
            var begin = text.IndexOf(Begin, position, StringComparison.Ordinal);
            if (begin < 0)
            {
                break;
            }

            var end = text.IndexOf(End, begin + Begin.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            var body = text[(begin + Begin.Length)..end];
            var base64 = string.Concat(body.Where(c => !char.IsWhiteSpace(c)));
            var buffer = new byte[base64.Length];
            if (Convert.TryFromBase64String(base64, buffer, out var written))
            {
                result.Add(buffer[..written]);
            }

            position = end + End.Length;
        }

        return result;
    }

    internal static bool ContainsCertificate(List<byte[]> certificates, ReadOnlySpan<byte> der)
    {
        foreach (var certificate in certificates)
        {
            if (der.SequenceEqual(certificate))
            {
                return true;
            }
        }

        return false;
    }
}
