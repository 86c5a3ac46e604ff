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
/// <para>Two addresses are equal when their hosts are equal ignoring case and their ports are equal; every Docker Hub
/// alias equals <see cref="DockerHub"/>. Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class RegistryAddress : IEquatable<RegistryAddress>, ISpanParsable<RegistryAddress>
{
    private const string DockerHubHost = "docker.io";
    private readonly string _text;
    private readonly int _hostStart;
    private readonly int _hostLength;
    private string? _host;

    // Registries recently built from image references, in a table indexed by a cheap mix of the domain's length and
    // four of its characters, two slots per mix: reusing an address saves two allocations and the port parsing per
    // reference. 256 slots (2 KiB) so that a process naming a hundred registries or more still finds most of them;
    // 16 single slots and a mix of the end characters only thrashed on the benchmarks' 147 registries. Slots are replaced, never locked: a race
    // only costs an extra allocation.
    private static readonly RegistryAddress?[] RecentFromReferences = new RegistryAddress?[256];

    /// <summary>Gets Docker Hub's canonical address, <c>docker.io</c>.</summary>
    public static RegistryAddress DockerHub { get; } = new(DockerHubHost, 0, DockerHubHost.Length, null, isIPv6: false);

    /// <summary>Gets Quay.io's address, <c>quay.io</c>.</summary>
    public static RegistryAddress Quay { get; } = new("quay.io", 0, "quay.io".Length, null, isIPv6: false);

    // text is the address as written (host, [host], with :port); the host is the slice [hostStart, hostStart+hostLength).
    private RegistryAddress(string text, int hostStart, int hostLength, int? port, bool isIPv6)
    {
        _text = text;
        _hostStart = hostStart;
        _hostLength = hostLength;
        Port = port;
        IsIPv6 = isIPv6;
    }

    /// <summary>Gets the host name or IP address, without brackets for IPv6 and without the port.</summary>
    public string Host => _host ??= _hostStart == 0 && _hostLength == _text.Length ? _text : _text.Substring(_hostStart, _hostLength);

    /// <summary>Gets the port, or <see langword="null"/> when the address has none.</summary>
    public int? Port { get; }

    /// <summary>Gets a value indicating whether the host is an IPv6 address (written in brackets).</summary>
    public bool IsIPv6 { get; }

    /// <summary>Gets a value indicating whether this is Docker Hub (<c>docker.io</c> or one of its aliases, without a port).</summary>
    public bool IsDockerHub => ReferenceEquals(this, DockerHub) || (Port is null && !IsIPv6 && IsDockerHubAlias(HostSpan));

    /// <summary>Gets a value indicating whether this is a host pattern (<c>*.corp.example</c>, made by
    /// <see cref="ParsePattern(string)"/>) rather than one registry's address.</summary>
    /// <remarks>A pattern stands for every host with the same number of labels whose labels after the <c>*</c>s are
    /// equal, ignoring case, and whose port is the same (none when the pattern has none): <c>*.corp.example</c> matches
    /// <c>eu.corp.example</c>, not <c>corp.example</c>, <c>a.b.corp.example</c> or <c>eu.corp.example:5000</c>. No image
    /// reference and no <see cref="Parse(string)"/> ever gives a pattern, and a pattern never equals an address.</remarks>
    public bool IsPattern => _hostLength > 1 && _text[_hostStart] == '*';

    private ReadOnlySpan<char> HostSpan => _text.AsSpan(_hostStart, _hostLength);

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

    /// <summary>Parses a host pattern, in which <c>*</c> stands for exactly one DNS label: <c>*.corp.example</c>,
    /// <c>*.*.corp.example:5000</c>, <c>*.dkr.ecr.eu-west-1.amazonaws.com</c>.</summary>
    /// <param name="s">The pattern: one or more <c>*.</c> at the start, then a host name of at least two labels, and an
    /// optional port.</param>
    /// <returns>The pattern, an address whose <see cref="IsPattern"/> is <see langword="true"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryAddressFormatException">The pattern is not valid; the message says how to fix it.</exception>
    public static RegistryAddress ParsePattern(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Contains('@', StringComparison.Ordinal) || s.Contains("://", StringComparison.Ordinal))
        {
            // User info may hold a password: the address's own message, which never shows it, says what to remove.
            Parse(s);
        }

        if (TryParsePatternCore(s, out var result, out var problem))
        {
            return result;
        }

        if (problem is null)
        {
            // The host after the '*.' labels is not valid (a scheme, a path, user info, blanks, a bad port): the address's
            // own message says what to fix, said of the pattern.
            var rest = s.AsSpan(CountWildcards(s) * 2);
            if (rest.IsEmpty)
            {
                throw new RegistryAddressFormatException(RegistryAddressError.InvalidPattern, $"The host pattern {EchoedInput.Quote(s)} has no host after its '*.' labels: give at least two labels, as in '*.corp.example'.");
            }

            try
            {
                Parse(rest);
            }
            catch (RegistryAddressFormatException inner)
            {
                throw new RegistryAddressFormatException(inner.Error, $"The host pattern is not valid after its '*.' labels: {char.ToLowerInvariant(inner.Message[0])}{inner.Message[1..]}");
            }
        }

        throw new RegistryAddressFormatException(RegistryAddressError.InvalidPattern, $"The host pattern {EchoedInput.Quote(s)} is not valid: {problem ?? "give '*.' labels before a host name"}.");
    }

    /// <summary>Tries to parse a host pattern (see <see cref="ParsePattern(string)"/>); never throws.</summary>
    /// <param name="s">The pattern, or <see langword="null"/>.</param>
    /// <param name="result">The pattern, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid host pattern.</returns>
    public static bool TryParsePattern([NotNullWhen(true)] string? s, [NotNullWhen(true)] out RegistryAddress? result)
    {
        if (s is null)
        {
            result = null;
            return false;
        }

        return TryParsePatternCore(s, out result, out _);
    }

    /// <summary>Tells whether this address, or this pattern, covers a registry address.</summary>
    /// <param name="address">A registry address (not a pattern).</param>
    /// <returns>For an address: whether both are equal. For a pattern: whether the pattern matches the host and port.</returns>
    public bool Covers(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!IsPattern)
        {
            return Equals(address);
        }

        if (address.IsPattern || address.IsIPv6 || address.IsDockerHub || address.Port != Port)
        {
            return false;
        }

        var wildcards = CountWildcards(_text);
        var suffix = HostSpan[(wildcards * 2)..];
        var host = address.HostSpan;
        if (host.Length <= suffix.Length + 1 || host[host.Length - suffix.Length - 1] != '.'
            || !host[^suffix.Length..].Equals(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // The labels in place of the '*'s: exactly as many as there are '*'s, none of them empty.
        return host[..(host.Length - suffix.Length - 1)].Count('.') == wildcards - 1;
    }

    /// <summary>Returns every host pattern that could cover this address, most specific first: for
    /// <c>a.eu.corp.example:5000</c>, <c>*.eu.corp.example:5000</c> and <c>*.*.corp.example:5000</c>.</summary>
    /// <returns>The patterns (none for Docker Hub, an IP address, a host of one or two labels, or a pattern). A store
    /// looks them up beside the address itself to find the entries that could cover an image.</returns>
    public IReadOnlyList<RegistryAddress> GetCoveringPatterns()
    {
        if (IsPattern || IsIPv6 || IsDockerHub)
        {
            return [];
        }

        var host = HostSpan;
        var labels = host.Count('.') + 1;
        if (labels < 3 || IsAllDigits(host[(host.LastIndexOf('.') + 1)..]))
        {
            return [];
        }

        var patterns = new RegistryAddress[labels - 2];
        var port = Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var rest = host;
        for (var wildcards = 1; wildcards <= labels - 2; wildcards++)
        {
            rest = rest[(rest.IndexOf('.') + 1)..];
            var text = string.Concat(string.Concat(Enumerable.Repeat("*.", wildcards)), rest, port);
            patterns[wildcards - 1] = new RegistryAddress(text, 0, text.Length - port.Length, Port, isIPv6: false);
        }

        return patterns;
    }

    // How many labels of the host are not '*': the more, the more specific (an address counts all of its labels).
    internal int ConcreteLabels => HostSpan.Count('.') + 1 - (IsPattern ? CountWildcards(_text) : 0);

    private static int CountWildcards(string text)
    {
        var count = 0;
        while (text.AsSpan(count * 2).StartsWith("*."))
        {
            count++;
        }

        return count;
    }

    private static bool TryParsePatternCore(string s, [NotNullWhen(true)] out RegistryAddress? result, out string? problem)
    {
        result = null;
        problem = null;
        var wildcards = CountWildcards(s);
        if (wildcards == 0)
        {
            problem = s.Contains('*', StringComparison.Ordinal)
                ? "'*' stands for one whole label and comes first, as in '*.corp.example'"
                : "it has no '*': give it as an address, or start it with '*.' as in '*.corp.example'";
            return false;
        }

        var rest = s.AsSpan(wildcards * 2);
        if (rest.Contains('*'))
        {
            problem = "'*' stands for one whole label and only the first labels may be '*', as in '*.corp.example'";
            return false;
        }

        if (!TryParseCore(rest, out var suffix, out _))
        {
            return false;
        }

        if (suffix.IsIPv6 || IPAddress.TryParse(suffix.Host, out _) || IsAllDigits(suffix.Host.AsSpan(suffix.Host.LastIndexOf('.') + 1)))
        {
            problem = "an IP address has no pattern: add each address";
            return false;
        }

        if (suffix.IsDockerHub || IsDockerHubAlias(suffix.Host) || suffix.Host.EndsWith(".docker.io", StringComparison.OrdinalIgnoreCase) || suffix.Host.Equals("docker.io", StringComparison.OrdinalIgnoreCase))
        {
            problem = "Docker Hub is one registry: add it as 'docker.io'";
            return false;
        }

        if (!suffix.Host.Contains('.', StringComparison.Ordinal))
        {
            problem = "at least two labels must follow the '*'s, as in '*.corp.example', so that a pattern never covers a whole top-level domain";
            return false;
        }

        var host = string.Concat(s.AsSpan(0, wildcards * 2), suffix.Host.ToLowerInvariant());
        var text = suffix.Port is { } p ? host + ":" + p.ToString(CultureInfo.InvariantCulture) : host;
        result = new RegistryAddress(text, 0, host.Length, suffix.Port, isIPv6: false);
        return true;
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
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        var hub = IsDockerHub;
        if (hub || other.IsDockerHub)
        {
            return hub && other.IsDockerHub;
        }

        return Port == other.Port && IsIPv6 == other.IsIPv6 && HostSpan.Equals(other.HostSpan, StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryAddress);

    /// <inheritdoc/>
    public override int GetHashCode()
        => IsDockerHub
            ? string.GetHashCode(DockerHubHost, StringComparison.OrdinalIgnoreCase)
            : HashCode.Combine(string.GetHashCode(HostSpan, StringComparison.OrdinalIgnoreCase), Port);

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

    // Creates an address from the domain of an image reference, which the reference grammar has already validated.
    // Docker's grammar is looser than Parse (any run of digits as a port, any hex digits and ':' in brackets, uppercase
    // hosts), so the text is kept exactly as written: the reference's ToString then parses back to the same reference.
    // "docker.io" itself is DockerHub, so Docker Hub references allocate no address.
    internal static RegistryAddress FromValidatedDomain(ReadOnlySpan<char> domain)
    {
        if (domain.SequenceEqual(DockerHubHost))
        {
            return DockerHub;
        }

        if (domain.SequenceEqual(Quay._text))
        {
            return Quay;
        }

        // Two slots per domain (an even one and its odd neighbour), so that two registries that mix to the same
        // place do not keep replacing each other; a new address goes to a free slot, else replaces the older pick.
        var slot = Slot(domain) & ~1;
        var first = Volatile.Read(ref RecentFromReferences[slot]);
        if (first is not null && domain.SequenceEqual(first._text))
        {
            return first;
        }

        var second = Volatile.Read(ref RecentFromReferences[slot + 1]);
        if (second is not null && domain.SequenceEqual(second._text))
        {
            return second;
        }

        var isIPv6 = domain[0] == '[';
        var hostEnd = isIPv6 ? domain.IndexOf(']') + 1 : domain.IndexOf(':');
        if (hostEnd < 0)
        {
            hostEnd = domain.Length;
        }

        ReferenceGrammar.TryParsePort(domain, out var port);
        var created = isIPv6
            ? new RegistryAddress(domain.ToString(), 1, hostEnd - 2, port, isIPv6: true)
            : new RegistryAddress(domain.ToString(), 0, hostEnd, port, isIPv6: false);
        // The even slot always holds the newest address, the odd one the one before it.
        if (first is not null)
        {
            Volatile.Write(ref RecentFromReferences[slot + 1], first);
        }

        Volatile.Write(ref RecentFromReferences[slot], created);
        return created;
    }

    private static int Slot(ReadOnlySpan<char> domain)
    {
        var n = domain.Length;
        var mix = (uint)n;
        mix = (mix * 31) + domain[0];
        mix = (mix * 31) + domain[n >> 2];
        mix = (mix * 31) + domain[n >> 1];
        mix = (mix * 31) + domain[n - 1];

        // Fibonacci hashing: the top bits of the product spread neighbouring values over the table.
        return (int)((mix * 0x9E3779B1u) >> 24);
    }

    internal static bool TryParseCore(ReadOnlySpan<char> s, [NotNullWhen(true)] out RegistryAddress? result, out RegistryAddressError error)
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
        if (port is null && !isIPv6 && IsDockerHubAlias(host))
        {
            result = DockerHub;
            return true;
        }

        var hostText = host.ToString();
        result = port is null && !isIPv6
            ? new RegistryAddress(hostText, 0, hostText.Length, null, isIPv6: false)
            : Create(hostText, port, isIPv6);
        return true;
    }

    internal static bool IsDockerHubAlias(ReadOnlySpan<char> host)
        => host.Equals(DockerHubHost, StringComparison.OrdinalIgnoreCase)
            || host.Equals("index.docker.io", StringComparison.OrdinalIgnoreCase)
            || host.Equals("registry-1.docker.io", StringComparison.OrdinalIgnoreCase);

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

    private static string Explain(ReadOnlySpan<char> s, RegistryAddressError error)
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
        return text.Length > 0 && TryParseCore(text, out var address, out _) ? address.ToString() : null;
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
                if (TryParseCore(ascii, out var address, out _))
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
