using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Registries.Core;

// The messages of refused registry addresses and host patterns: what is wrong, and the corrected form when one parses.
// The corrections: a scheme, a path, a user name or blanks taken away; brackets around an IPv6 address; the punycode
// form of an international name. Only the throwing paths come here; every part of the input they show goes through
// EchoedInput.
internal static class RegistryAddressMessages
{
    public static string ExplainPatternWithoutHost(ReadOnlySpan<char> pattern)
        => $"The host pattern {EchoedInput.Quote(pattern)} has no host after its '*.' labels: give at least two labels, as in '*.corp.example'.";

    // The host after the '*.' labels is not valid (a scheme, a path, user info, blanks, a bad port): the address's own
    // message says what to fix, said of the pattern.
    public static string ExplainPatternHost(ReadOnlySpan<char> host, RegistryAddressError error)
    {
        var message = Explain(host, error);
        return $"The host pattern is not valid after its '*.' labels: {char.ToLowerInvariant(message[0])}{message[1..]}";
    }

    public static string ExplainPattern(ReadOnlySpan<char> pattern, string problem)
        => $"The host pattern {EchoedInput.Quote(pattern)} is not valid: {problem}.";

    public static string Explain(ReadOnlySpan<char> s, RegistryAddressError error)
    {
        // The user info may hold a password (with '/', '@', ':' or '#' in it): it is cut out before anything else is
        // taken from the input, so that no part of the message (the address, the path, the suggestion) can show it.
        var hasUserInfo = EchoedInput.TryFindUserInfo(s, digests: false, out var userStart, out var userAt);
        var input = hasUserInfo ? string.Concat(s[..userStart], EchoedInput.Redacted, s[userAt..]) : s.ToString();
        var withoutUserInfo = hasUserInfo ? string.Concat(s[..userStart], s[(userAt + 1)..]) : input;
        var shown = EchoedInput.Quote(input);
        var corrected = SuggestCorrection(withoutUserInfo, hasUserInfo, out var removed);
        var give = corrected is null ? string.Empty : $": give {EchoedInput.Quote(corrected)}";
        return error switch
        {
            RegistryAddressError.Empty when input.Length == 0 || input.AsSpan().IsWhiteSpace() =>
                "The registry address is empty: give a host name or IP address with an optional port, for example 'registry.example.com:5000'.",
            RegistryAddressError.Empty => $"The registry address {shown} has no host: give a host name or IP address before the port, for example 'registry.example.com:5000'.",
            RegistryAddressError.ContainsWhitespace or RegistryAddressError.HasScheme or RegistryAddressError.HasUserInfo or RegistryAddressError.HasPath =>
                $"The registry address {shown} {Describe(error)}{(corrected is null ? $"; remove {removed}" : give + " without " + removed)}.",
            RegistryAddressError.InvalidPort => $"The registry address {shown} has an invalid port: give a number from 1 to 65535, for example 'registry.example.com:5000'.",
            _ when input.Contains('*', StringComparison.Ordinal) => $"The registry address {shown} is not one registry's host: '*' belongs to a host pattern, which only the scope of a registry entry takes (registries registry add ENV --address '*.corp.example').",
            _ => $"The registry address {shown} is not a valid host name or IP address: use letters, digits, '-' and '.', and write IPv6 addresses in brackets, for example '[fe80::1]:5000'{(hasUserInfo ? string.Empty : HostHint(input))}.",
        };
    }

    private static string Describe(RegistryAddressError error) => error switch
    {
        RegistryAddressError.ContainsWhitespace => "contains blanks",
        RegistryAddressError.HasScheme => "starts with a scheme, which a registry address does not have",
        RegistryAddressError.HasUserInfo => "contains a user name ('...@'), but credentials are given separately",
        _ => "has a path, but only the host and port are used",
    };

    // Strips what users commonly add (blanks, scheme, path; the user info is already gone) and keeps the result only
    // if it parses.
    private static string? SuggestCorrection(string input, bool hadUserInfo, out string removed)
    {
        var parts = new List<string>(4);
        var text = input;
        if (text.Any(char.IsWhiteSpace))
        {
            text = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
            parts.Add("blanks");
        }

        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            parts.Add(EchoedInput.Quote(text.AsSpan(0, scheme + 3)));
            text = text[(scheme + 3)..];
        }

        if (hadUserInfo)
        {
            parts.Add("the user name");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            parts.Add($"the path {EchoedInput.Quote(text.AsSpan(slash))}");
            text = text[..slash];
        }

        removed = parts.Count switch
        {
            0 => "it",
            1 => parts[0],
            _ => string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1],
        };
        return text.Length > 0 && RegistryAddressParser.TryParse(text, out var address) ? address.ToString() : null;
    }

    private static string HostHint(string input)
    {
        if (input.Count(c => c == ':') > 1 && input[0] != '[' && IPAddress.TryParse(input, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return $" (here: '[{input}]')";
        }

        if (input.Any(c => c > 0x7f))
        {
            try
            {
                var colon = input.LastIndexOf(':');
                var host = colon > 0 ? input[..colon] : input;
                var ascii = new IdnMapping().GetAscii(host) + (colon > 0 ? input[colon..] : string.Empty);
                if (RegistryAddressParser.TryParse(ascii, out var address))
                {
                    return $"; an international name is written in its ASCII (punycode) form: {EchoedInput.Quote(address.ToString())}";
                }
            }
            catch (ArgumentException)
            {
                // Not a valid international name either: the general advice stands.
            }
        }

        return string.Empty;
    }
}
