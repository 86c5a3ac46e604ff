namespace Registries.Core;

/// <summary>Says why a registry address could not be parsed.</summary>
public enum RegistryAddressError
{
    /// <summary>The address is empty, or has no host.</summary>
    Empty,

    /// <summary>The address contains blanks.</summary>
    ContainsWhitespace,

    /// <summary>The address starts with a scheme such as <c>https://</c>.</summary>
    HasScheme,

    /// <summary>The address has a user-info part (<c>user@host</c>).</summary>
    HasUserInfo,

    /// <summary>The address has a path after the host (<c>host/v2</c>).</summary>
    HasPath,

    /// <summary>The host is not a valid host name or IP address.</summary>
    InvalidHost,

    /// <summary>The port is not a number from 1 to 65535.</summary>
    InvalidPort,

    /// <summary>A host pattern is not valid: <c>*</c> stands for one whole DNS label, only at the start, and at least two
    /// labels follow (<c>*.corp.example</c>); Docker Hub, IP addresses and <c>localhost</c> have no pattern.</summary>
    InvalidPattern,

    /// <summary>A repository path prefix is not valid: lowercase path components separated by <c>/</c>
    /// (<c>team</c>, <c>team/sub</c>), without a tag, digest, leading or trailing slash.</summary>
    InvalidPath,
}
