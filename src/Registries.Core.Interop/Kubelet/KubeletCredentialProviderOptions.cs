namespace Registries.Core.Interop;

/// <summary>Options of the <see cref="KubeletCredentialProvider"/>.</summary>
public sealed class KubeletCredentialProviderOptions
{
    /// <summary>The default <see cref="CacheDuration"/>: one minute, so that a deactivated registry stops being served to nodes within a minute.</summary>
    public static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromMinutes(1);

    /// <summary>The shortest <see cref="CacheDuration"/> accepted: one second (the kubelet reads <c>0s</c> as "do not cache", which would run the provider for every pull).</summary>
    public static readonly TimeSpan MinimumCacheDuration = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="CacheDuration"/> accepted: one day; longer would keep a deactivated registry's password in use for days.</summary>
    public static readonly TimeSpan MaximumCacheDuration = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how long the kubelet keeps an answer for the image's registry before it asks again (the response's <c>cacheDuration</c>).</summary>
    /// <remarks>Whole seconds from <see cref="MinimumCacheDuration"/> to <see cref="MaximumCacheDuration"/>. A deactivation reaches a node at the latest this long after it.</remarks>
    public TimeSpan CacheDuration { get; set; } = DefaultCacheDuration;
}
