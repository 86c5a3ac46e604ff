using System.Diagnostics.CodeAnalysis;

using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Maps between registry addresses and the keys of a Docker config.json (<c>auths</c>, <c>credHelpers</c>).</summary>
internal static class DockerConfigKeys
{
    /// <summary>The key the docker CLI uses for Docker Hub (its "index server").</summary>
    public const string DockerHubKey = DockerAuth.DockerHubLegacyKey;

    /// <summary>Returns the key docker login writes for an address: Docker Hub's legacy URL, else <c>host[:port]</c>.</summary>
    public static string KeyFor(RegistryAddress address) => address.IsDockerHub ? DockerHubKey : address.ToString();

    /// <summary>Normalizes a config key as the docker CLI does (drop the scheme, keep what comes before the first '/').</summary>
    /// <remarks>Accepts <c>https://index.docker.io/v1/</c>, <c>http://host:5000</c>, <c>host:5000/v2/</c> and plain
    /// <c>host[:port]</c>. The scheme and path are accepted only here, where Docker's own files carry them.</remarks>
    public static bool TryNormalize(string key, [NotNullWhen(true)] out RegistryAddress? address, [NotNullWhen(false)] out string? error)
        => TryNormalize(key, out address, out _, out error);

    /// <summary>Reads an <c>auths</c> key as a scope: <c>host[:port]/team/sub</c> (as podman login and the containers
    /// auth.json write a namespace) is the path-scoped <c>team/sub</c>, never widened to the host.</summary>
    /// <remarks>Docker's own URL forms keep their meaning: <c>https://index.docker.io/v1/</c>, <c>host/v1/</c> and
    /// <c>host/v2/</c> are the whole host.</remarks>
    public static bool TryNormalizeScope(string key, [NotNullWhen(true)] out RegistryScope? scope, [NotNullWhen(false)] out string? error)
    {
        scope = null;
        if (!TryNormalize(key, out var address, out var path, out error))
        {
            return false;
        }

        var trimmed = path.Trim('/');
        if (trimmed.Length == 0 || trimmed is "v1" or "v2")
        {
            scope = RegistryScope.Of(address);
            return true;
        }

        try
        {
            scope = RegistryScope.Create(address, trimmed);
            return true;
        }
        catch (RegistryAddressFormatException ex)
        {
            error = $"the key '{UserInfo.Redact(key)}' is not a registry address with a repository path: {ex.Message}";
            return false;
        }
    }

    private static bool TryNormalize(string key, [NotNullWhen(true)] out RegistryAddress? address, out string path, [NotNullWhen(false)] out string? error)
    {
        path = string.Empty;
        var text = key.Trim();
        if (UserInfo.Has(text))
        {
            // "https://user:pw@host" is no key docker login writes, and Docker would never match it to a registry; the
            // report must not repeat the password it carries.
            address = null;
            error = $"the key '{UserInfo.Redact(key)}' is not a registry address: it carries a user name and password in the address; write the key as the registry's host[:port] alone and the credential in the entry's \"auth\" field (as docker login does).";
            return false;
        }

        foreach (var scheme in (ReadOnlySpan<string>)["https://", "http://"])
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                text = text[scheme.Length..];
                break;
            }
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = text[(slash + 1)..];
            text = text[..slash];
        }

        try
        {
            address = RegistryAddress.Parse(text);
            error = null;
            return true;
        }
        catch (RegistryAddressFormatException ex)
        {
            address = null;
            error = $"the key '{key}' is not a registry address: {ex.Message}";
            return false;
        }
    }
}
