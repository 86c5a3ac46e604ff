namespace Registries.Core.Sources;

/// <summary>Which resolutions may share a fetched credential until it expires (a kubelet plugin's <c>cacheKeyType</c>).</summary>
public enum CredentialCacheScope
{
    /// <summary>Only resolutions of the same image repository.</summary>
    Image,

    /// <summary>Every resolution of the same registry address.</summary>
    Registry,

    /// <summary>Every resolution the entry decides.</summary>
    Entry,
}
