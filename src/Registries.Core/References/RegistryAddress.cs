using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Registries.Core;

/// <summary>The address of a container registry: a host name or IP address with an optional port.</summary>
/// <remarks>
/// <para>Examples: <c>registry.example.com</c>, <c>10.0.0.5:5000</c>, <c>[fe80::1]:5000</c>,
/// <c>localhost:5000</c>. Docker Hub's aliases (<c>docker.io</c>, <c>index.docker.io</c>,
/// <c>registry-1.docker.io</c>) all become <see cref="DockerHub"/>.</para>
/// <para>Two addresses are equal when their hosts are equal ignoring case and their ports are equal.
/// Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class RegistryAddress : IEquatable<RegistryAddress>, ISpanParsable<RegistryAddress>
{
    private const string DockerHubHost = "docker.io";
    private readonly string _text;

    /// <summary>Gets Docker Hub's canonical address, <c>docker.io</c>.</summary>
    public static RegistryAddress DockerHub { get; } = new(DockerHubHost, null, isIPv6: false);

    /// <summary>Gets Quay.io's address, <c>quay.io</c>.</summary>
    public static RegistryAddress Quay { get; } = new("quay.io", null, isIPv6: false);

    private RegistryAddress(string host, int? port, bool isIPv6)
    {
        Host = host;
        Port = port;
        IsIPv6 = isIPv6;
        var hostText = isIPv6 ? "[" + host + "]" : host;
        _text = port is { } p ? hostText + ":" + p.ToString(CultureInfo.InvariantCulture) : hostText;
    }

    /// <summary>Gets the host name or IP address, without brackets for IPv6 and without the port.</summary>
    public string Host { get; }

    /// <summary>Gets the port, or <see langword="null"/> when the address has none.</summary>
    public int? Port { get; }

    /// <summary>Gets a value indicating whether the host is an IPv6 address (written in brackets).</summary>
    public bool IsIPv6 { get; }

    /// <summary>Gets a value indicating whether this is Docker Hub.</summary>
    public bool IsDockerHub => ReferenceEquals(this, DockerHub) || (Port is null && string.Equals(Host, DockerHubHost, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a registry address.</summary>
    /// <param name="s">The address, for example <c>registry.example.com:5000</c>.</param>
    /// <returns>The parsed address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryAddressFormatException">The address is not valid; the message says how to fix it.</exception>
    public static RegistryAddress Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan());
    }

    /// <summary>Parses a registry address.</summary>
    /// <param name="s">The address, for example <c>registry.example.com:5000</c>.</param>
    /// <returns>The parsed address.</returns>
    /// <exception cref="RegistryAddressFormatException">The address is not valid; the message says how to fix it.</exception>
    public static RegistryAddress Parse(ReadOnlySpan<char> s)
    {
        if (TryParseCore(s, out var result, out var error))
        {
            return result;
        }

        throw new RegistryAddressFormatException(error, Explain(s, error));
    }

    /// <summary>Tries to parse a registry address; never throws.</summary>
    /// <param name="s">The address, or <see langword="null"/>.</param>
    /// <param name="result">The parsed address, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid address.</returns>
    public static bool TryParse([NotNullWhen(true)] string? s, [NotNullWhen(true)] out RegistryAddress? result)
    {
        if (s is null)
        {
            result = null;
            return false;
        }

        return TryParse(s.AsSpan(), out result);
    }

    /// <summary>Tries to parse a registry address; never throws.</summary>
    /// <param name="s">The address.</param>
    /// <param name="result">The parsed address, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid address.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out RegistryAddress? result)
        => TryParseCore(s, out result, out _);

    /// <inheritdoc/>
    static RegistryAddress IParsable<RegistryAddress>.Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    static bool IParsable<RegistryAddress>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out RegistryAddress result)
        => TryParse(s, out result);

    /// <inheritdoc/>
    static RegistryAddress ISpanParsable<RegistryAddress>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    static bool ISpanParsable<RegistryAddress>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, [MaybeNullWhen(false)] out RegistryAddress result)
        => TryParse(s, out result);

    /// <summary>Returns the address as Docker writes it: <c>host</c>, <c>host:port</c> or <c>[ipv6]:port</c>.</summary>
    /// <returns>The address text.</returns>
    public override string ToString() => _text;

    /// <inheritdoc/>
    public bool Equals(RegistryAddress? other)
        => other is not null
            && Port == other.Port
            && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryAddress);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);

    /// <summary>Compares two addresses for equality.</summary>
    /// <param name="left">The first address.</param>
    /// <param name="right">The second address.</param>
    /// <returns><see langword="true"/> when both are equal or both are <see langword="null"/>.</returns>
    public static bool operator ==(RegistryAddress? left, RegistryAddress? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two addresses for inequality.</summary>
    /// <param name="left">The first address.</param>
    /// <param name="right">The second address.</param>
    /// <returns><see langword="true"/> when the addresses differ.</returns>
    public static bool operator !=(RegistryAddress? left, RegistryAddress? right) => !(left == right);

    /// <summary>Creates an address from a domain part that the image reference grammar has already validated.</summary>
    internal static RegistryAddress FromValidatedDomain(ReadOnlySpan<char> domain)
    {
        if (!TryParseCore(domain, out var result, out _))
        {
            // The reference grammar allows ports above 65535; keep what Docker would keep.
            return FromUncheckedDomain(domain);
        }

        return result;
    }

    private static RegistryAddress FromUncheckedDomain(ReadOnlySpan<char> domain)
    {
        var colon = domain.LastIndexOf(':');
        var bracket = domain.LastIndexOf(']');
        if (colon > bracket && int.TryParse(domain[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            var hostPart = domain[..colon];
            var v6 = hostPart.Length > 1 && hostPart[0] == '[';
            return new RegistryAddress(v6 ? hostPart[1..^1].ToString() : hostPart.ToString(), port, v6);
        }

        var isV6 = domain.Length > 1 && domain[0] == '[';
        return new RegistryAddress(isV6 ? domain[1..^1].ToString() : domain.ToString(), null, isV6);
    }

    internal static bool TryParseCore(ReadOnlySpan<char> s, [NotNullWhen(true)] out RegistryAddress? result, out RegistryAddressError error)
    {
        result = null;
        if (s.IsEmpty)
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

        if (s.IndexOf("://".AsSpan()) >= 0)
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

            if (host.IsEmpty || host.IndexOf('%') >= 0 || !IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = host.IsEmpty ? RegistryAddressError.Empty : RegistryAddressError.InvalidHost;
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
        if (port is null && !isIPv6 && IsDockerHubAlias(host))
        {
            result = DockerHub;
            return true;
        }

        result = new RegistryAddress(host.ToString(), port, isIPv6);
        return true;
    }

    internal static bool IsDockerHubAlias(ReadOnlySpan<char> host)
        => host.Equals(DockerHubHost, StringComparison.OrdinalIgnoreCase)
            || host.Equals("index.docker.io", StringComparison.OrdinalIgnoreCase)
            || host.Equals("registry-1.docker.io", StringComparison.OrdinalIgnoreCase);

    private static bool IsAllDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

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

    private static string Explain(ReadOnlySpan<char> s, RegistryAddressError error)
    {
        var input = s.ToString();
        var corrected = SuggestCorrection(input);
        var hint = corrected is null ? string.Empty : $" Give '{corrected}'";
        return error switch
        {
            RegistryAddressError.Empty => "The registry address is empty: give a host name or IP address with an optional port, for example 'registry.example.com:5000'.",
            RegistryAddressError.ContainsWhitespace => $"The registry address '{input}' contains blanks." + (corrected is null ? " Remove them." : hint + " without blanks."),
            RegistryAddressError.HasScheme => $"The registry address '{input}' starts with a scheme." + (corrected is null ? " Remove it." : hint + $" without '{input[..(input.IndexOf("://", StringComparison.Ordinal) + 3)]}'."),
            RegistryAddressError.HasUserInfo => $"The registry address '{input}' contains a user name ('...@'); credentials are given separately." + (corrected is null ? string.Empty : hint + "."),
            RegistryAddressError.HasPath => $"The registry address '{input}' has a path; only the host and port are used." + (corrected is null ? string.Empty : hint + " without the path."),
            RegistryAddressError.InvalidPort => $"The registry address '{input}' has an invalid port: give a number from 1 to 65535, for example 'registry.example.com:5000'.",
            _ => $"The registry address '{input}' is not a valid host name or IP address: use letters, digits, '-' and '.', and write IPv6 addresses in brackets, for example '[fe80::1]:5000'.",
        };
    }

    // Strips what users commonly add (blanks, scheme, user info, path) and keeps the result only if it parses.
    private static string? SuggestCorrection(string input)
    {
        var text = input.Trim();
        text = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            text = text[..slash];
        }

        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            text = text[(at + 1)..];
        }

        return TryParseCore(text, out var address, out _) ? address.ToString() : null;
    }
}
