using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Registries.Core;

// The registry address parser: host names or IP addresses with an optional port, and host patterns ('*.corp.example').
// A refusal allocates nothing; RegistryAddressFailure explains it, with the corrected form, only when Parse throws.
internal static class RegistryAddressParser
{
    // The answer for Parse: the address, or a failure that becomes the explained exception.
    public static ParseResult<RegistryAddress, RegistryAddressFailure> Parse(ReadOnlySpan<char> s)
        => TryRead(s, out var address, out var error)
            ? ParseResult<RegistryAddress, RegistryAddressFailure>.ForValue(address)
            : Refuse(s, RegistryAddressFailure.OfAddress(error));

    // The answer for TryParse: yes or no, without a result around it (as ImageReferenceParser.TryParse, for speed).
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out RegistryAddress? result)
        => TryRead(s, out result, out _);

    // One or more '*.' labels, then a host name of at least two labels, and an optional port.
    public static ParseResult<RegistryAddress, RegistryAddressFailure> ParsePattern(ReadOnlySpan<char> s)
    {
        if (s.Contains('@') || s.IndexOf("://") >= 0)
        {
            // User info may hold a password: the address's own message, which never shows it, says what to remove.
            // Such an input is never an address either, so the address's error is always there to report.
            TryRead(s, out _, out var error);
            return Refuse(s, RegistryAddressFailure.OfAddress(error));
        }

        var wildcards = RegistryAddress.CountWildcards(s);
        if (wildcards == 0)
        {
            return Refuse(s, RegistryAddressFailure.OfPattern(s.Contains('*')
                ? "'*' stands for one whole label and comes first, as in '*.corp.example'"
                : "it has no '*': give it as an address, or start it with '*.' as in '*.corp.example'"));
        }

        var rest = s[(wildcards * 2)..];
        if (rest.Contains('*'))
        {
            return Refuse(s, RegistryAddressFailure.OfPattern("'*' stands for one whole label and only the first labels may be '*', as in '*.corp.example'"));
        }

        if (!TryRead(rest, out var suffix, out var hostError))
        {
            return Refuse(s, rest.IsEmpty ? RegistryAddressFailure.OfPatternWithoutHost() : RegistryAddressFailure.OfPatternHost(hostError));
        }

        if (suffix.IsIPv6 || IPAddress.TryParse(suffix.Host, out _) || IsAllDigits(suffix.Host.AsSpan(suffix.Host.LastIndexOf('.') + 1)))
        {
            return Refuse(s, RegistryAddressFailure.OfPattern("an IP address has no pattern: add each address"));
        }

        if (suffix.IsDockerHub || RegistryAddress.IsDockerHubAlias(suffix.Host) || suffix.Host.EndsWith(".docker.io", StringComparison.OrdinalIgnoreCase) || suffix.Host.Equals("docker.io", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(s, RegistryAddressFailure.OfPattern("Docker Hub is one registry: add it as 'docker.io'"));
        }

        if (!suffix.Host.Contains('.', StringComparison.Ordinal))
        {
            return Refuse(s, RegistryAddressFailure.OfPattern("at least two labels must follow the '*'s, as in '*.corp.example', so that a pattern never covers a whole top-level domain"));
        }

        var host = string.Concat(s[..(wildcards * 2)], suffix.Host.ToLowerInvariant());
        var text = suffix.Port is { } p ? host + ":" + p.ToString(CultureInfo.InvariantCulture) : host;
        return ParseResult<RegistryAddress, RegistryAddressFailure>.ForValue(new RegistryAddress(text, 0, host.Length, suffix.Port, isIPv6: false));
    }

    // Creates an address from the domain of an image reference, which the reference grammar has already validated.
    // Docker's grammar is looser than Parse (any run of digits as a port, any hex digits and ':' in brackets, uppercase
    // hosts), so the text is kept exactly as written: the reference's ToString then parses back to the same reference.
    public static RegistryAddress FromReferenceDomain(ReadOnlySpan<char> domain)
    {
        var isIPv6 = domain[0] == '[';
        var hostEnd = isIPv6 ? domain.IndexOf(']') + 1 : domain.IndexOf(':');
        if (hostEnd < 0)
        {
            hostEnd = domain.Length;
        }

        ReferenceGrammar.TryParsePort(domain, out var port);
        return isIPv6
            ? new RegistryAddress(domain.ToString(), 1, hostEnd - 2, port, isIPv6: true)
            : new RegistryAddress(domain.ToString(), 0, hostEnd, port, isIPv6: false);
    }

    private static ParseResult<RegistryAddress, RegistryAddressFailure> Refuse(ReadOnlySpan<char> s, RegistryAddressFailure failure)
        => ParseResult<RegistryAddress, RegistryAddressFailure>.ForFailure(s, failure);

    private static bool TryRead(ReadOnlySpan<char> s, [NotNullWhen(true)] out RegistryAddress? result, out RegistryAddressError error)
    {
        result = null;
        if (s.IsEmpty || s.IsWhiteSpace())
        {
            error = RegistryAddressError.Empty;
            return false;
        }

        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                error = RegistryAddressError.ContainsWhitespace;
                return false;
            }
        }

        if (s.IndexOf("://") >= 0)
        {
            error = RegistryAddressError.HasScheme;
            return false;
        }

        if (s.IndexOf('@') >= 0)
        {
            error = RegistryAddressError.HasUserInfo;
            return false;
        }

        if (s.IndexOf('/') >= 0)
        {
            error = RegistryAddressError.HasPath;
            return false;
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> portText = default;
        var hasPort = false;
        var isIPv6 = false;
        if (s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                error = RegistryAddressError.InvalidHost;
                return false;
            }

            host = s[1..close];
            isIPv6 = true;
            var rest = s[(close + 1)..];
            if (!rest.IsEmpty)
            {
                if (rest[0] != ':')
                {
                    error = RegistryAddressError.InvalidHost;
                    return false;
                }

                portText = rest[1..];
                hasPort = true;
            }

            if (host.IsEmpty)
            {
                error = RegistryAddressError.Empty;
                return false;
            }

            // Docker's reference grammar allows hex digits and ':' in brackets, without a zone or an embedded IPv4.
            if (host.ContainsAnyExcept("0123456789abcdefABCDEF:") || !IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = RegistryAddressError.InvalidHost;
                return false;
            }
        }
        else
        {
            var colon = s.IndexOf(':');
            if (colon >= 0)
            {
                host = s[..colon];
                portText = s[(colon + 1)..];
                hasPort = true;
                if (portText.IndexOf(':') >= 0)
                {
                    // More than one colon without brackets: an IPv6 address written the wrong way.
                    error = RegistryAddressError.InvalidHost;
                    return false;
                }
            }
            else
            {
                host = s;
            }

            if (host.IsEmpty)
            {
                error = RegistryAddressError.Empty;
                return false;
            }

            if (!IsValidDomainHost(host))
            {
                error = RegistryAddressError.InvalidHost;
                return false;
            }
        }

        int? port = null;
        if (hasPort)
        {
            if (portText.IsEmpty || portText.Length > 5 || !IsAllDigits(portText)
                || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = RegistryAddressError.InvalidPort;
                return false;
            }

            port = p;
        }

        error = default;
        if (port is null && !isIPv6 && RegistryAddress.IsDockerHubAlias(host))
        {
            result = RegistryAddress.DockerHub;
            return true;
        }

        var hostText = host.ToString();
        result = port is null && !isIPv6
            ? new RegistryAddress(hostText, 0, hostText.Length, null, isIPv6: false)
            : Create(hostText, port, isIPv6);
        return true;
    }

    private static RegistryAddress Create(string host, int? port, bool isIPv6)
    {
        var hostText = isIPv6 ? "[" + host + "]" : host;
        var text = port is { } p ? hostText + ":" + p.ToString(CultureInfo.InvariantCulture) : hostText;
        return new RegistryAddress(text, isIPv6 ? 1 : 0, host.Length, port, isIPv6);
    }

    private static bool IsAllDigits(ReadOnlySpan<char> s) => !s.ContainsAnyExceptInRange('0', '9');

    // Docker's domain-name component: [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9], joined by dots.
    private static bool IsValidDomainHost(ReadOnlySpan<char> host)
    {
        var componentStart = 0;
        for (var i = 0; i <= host.Length; i++)
        {
            if (i == host.Length || host[i] == '.')
            {
                var component = host[componentStart..i];
                if (component.IsEmpty || component[0] == '-' || component[^1] == '-')
                {
                    return false;
                }

                foreach (var c in component)
                {
                    if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                    {
                        return false;
                    }
                }

                componentStart = i + 1;
            }
        }

        return true;
    }
}
