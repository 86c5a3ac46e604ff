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
}
