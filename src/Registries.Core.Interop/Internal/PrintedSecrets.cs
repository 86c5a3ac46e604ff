using System.Text.Json;
using System.Text.RegularExpressions;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Finds the secrets a program printed as JSON fields (<c>"Secret": "..."</c>, <c>"password": "..."</c>), even
/// inside text that is not JSON as a whole, so that its failure message can be shown with them masked.</summary>
internal static partial class PrintedSecrets
{
    /// <summary>Returns <paramref name="mask"/> extended with the values of the named string fields found in the texts.</summary>
    public static CredentialMask Add(CredentialMask mask, IEnumerable<string> fields, params string[] texts)
    {
        foreach (var text in texts)
        {
            foreach (Match match in Field().Matches(text))
            {
                if (!fields.Contains(match.Groups["name"].Value, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var raw = match.Groups["value"].Value;
                mask = mask.With(raw);
                try
                {
                    using var unescaped = JsonDocument.Parse("\"" + raw + "\"");
                    mask = mask.With(unescaped.RootElement.GetString());
                }
                catch (JsonException)
                {
                    // The raw form is masked already.
                }
            }
        }

        return mask;
    }

    [GeneratedRegex("\"(?<name>[A-Za-z]+)\"\\s*:\\s*\"(?<value>(?:[^\"\\\\]|\\\\.){1,4096})\"", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Field();
}
