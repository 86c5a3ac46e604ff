using System.Diagnostics.CodeAnalysis;
using System.Globalization;

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
    // The well-known hosts, which the parsers compare against before making an address.
    internal const string DockerHubHost = "docker.io";
    internal const string QuayHost = "quay.io";

    private readonly string _text;
    private readonly int _hostStart;
    private readonly int _hostLength;
    private string? _host;

    /// <summary>Gets Docker Hub's canonical address, <c>docker.io</c>.</summary>
    public static RegistryAddress DockerHub { get; } = new(DockerHubHost, 0, DockerHubHost.Length, null, isIPv6: false);

    /// <summary>Gets Quay.io's address, <c>quay.io</c>.</summary>
    public static RegistryAddress Quay { get; } = new(QuayHost, 0, QuayHost.Length, null, isIPv6: false);

    // text is the address as written (host, [host], with :port); the host is the slice [hostStart, hostStart+hostLength).
    // Only the parsers make addresses: they have checked the text.
    internal RegistryAddress(string text, int hostStart, int hostLength, int? port, bool isIPv6)
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
        return RegistryAddressParser.Parse(s).GetValueOrThrow();
    }

    /// <summary>Parses a registry address.</summary>
    /// <param name="s">The address, for example <c>registry.example.com:5000</c>.</param>
    /// <returns>The parsed address.</returns>
    /// <exception cref="RegistryAddressFormatException">The address is not valid; the message says how to fix it.</exception>
    public static RegistryAddress Parse(ReadOnlySpan<char> s) => RegistryAddressParser.Parse(s).GetValueOrThrow();

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

        return RegistryAddressParser.TryParse(s, out result);
    }

    /// <summary>Tries to parse a registry address; never throws.</summary>
    /// <param name="s">The address.</param>
    /// <param name="result">The parsed address, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid address.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out RegistryAddress? result)
        => RegistryAddressParser.TryParse(s, out result);

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
        return RegistryAddressParser.ParsePattern(s).GetValueOrThrow();
    }

    /// <summary>Tries to parse a host pattern (see <see cref="ParsePattern(string)"/>); never throws.</summary>
    /// <param name="s">The pattern, or <see langword="null"/>.</param>
    /// <param name="result">The pattern, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid host pattern.</returns>
    public static bool TryParsePattern([NotNullWhen(true)] string? s, [NotNullWhen(true)] out RegistryAddress? result)
    {
        result = null;
        return s is not null && RegistryAddressParser.ParsePattern(s).TryGetValue(out result);
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
        if (labels < 3 || !host[(host.LastIndexOf('.') + 1)..].ContainsAnyExceptInRange('0', '9'))
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

    // How many '*.' labels the text starts with (none for an address).
    internal static int CountWildcards(ReadOnlySpan<char> text)
    {
        var count = 0;
        while (text[(count * 2)..].StartsWith("*."))
        {
            count++;
        }

        return count;
    }

    // The host names that mean Docker Hub.
    internal static bool IsDockerHubAlias(ReadOnlySpan<char> host)
        => host.Equals(DockerHubHost, StringComparison.OrdinalIgnoreCase)
            || host.Equals("index.docker.io", StringComparison.OrdinalIgnoreCase)
            || host.Equals("registry-1.docker.io", StringComparison.OrdinalIgnoreCase);

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
}
