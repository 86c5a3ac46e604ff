using System.Globalization;
using System.Text;

namespace Registries.Core.Interop;

/// <summary>Writes TOML strings by hand for the documents this package renders (containerd's <c>hosts.toml</c>): every
/// value and quoted key a basic string, so that no value can end its line, open a table or become another key,
/// whatever characters a path holds.</summary>
internal static class TomlText
{
    /// <summary>Quotes a string as a TOML basic string (TOML 1.0, which containerd's go-toml reads).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The quoted string.</returns>
    /// <exception cref="ArgumentException">The value holds an unpaired surrogate, which TOML (UTF-8 only) cannot hold in any form.</exception>
    /// <remarks>'"' and '\' are escaped; the control characters TOML forbids in a basic string (C0 but tab, and DEL)
    /// are written as <c>\uXXXX</c> (or their short escapes), so the value stays on one line and reads back exactly;
    /// every other character is written as it is (the file is UTF-8).</remarks>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
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
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // \uD800 is not a Unicode scalar value: TOML refuses it escaped too.
                        throw new ArgumentException("The text holds an unpaired surrogate (not valid Unicode), which a TOML file cannot hold: rename the path.", nameof(value));
                    }
                    else if (c < 0x20 || c == 0x7F)
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
