using System.Globalization;
using System.Text;

namespace Registries.Core.Interop;

/// <summary>Writes YAML by hand for the documents this package renders (k3s <c>registries.yaml</c>, the kubelet's
/// <c>CredentialProviderConfig</c>): every string a double-quoted scalar, so that no value can be read as another type,
/// a comment, an anchor or a second key, whatever characters a password or name holds.</summary>
internal static class YamlText
{
    /// <summary>Quotes a string as a YAML double-quoted scalar (the same in YAML 1.1 and 1.2).</summary>
    /// <remarks>'"' and '\' are escaped; C0 and C1 controls, DEL, the line and paragraph separators (line breaks to
    /// YAML 1.1), the byte order mark and an unpaired surrogate are written as <c>\uXXXX</c>, so the line stays one
    /// line and the value reads back exactly; every other character, non-ASCII letters included, is written as it is
    /// (the file is UTF-8).</remarks>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                default:
                    var paired = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
                    if (paired)
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029' or '\uFEFF' || char.IsSurrogate(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
