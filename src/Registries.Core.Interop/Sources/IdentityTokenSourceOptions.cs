namespace Registries.Core.Interop;

/// <summary>Options of <see cref="IdentityTokenSource"/>.</summary>
/// <remarks>Validated when a source is built, and at start under dependency injection (<c>AddIdentityTokenSource</c>);
/// an invalid value fails with an <c>OptionsValidationException</c> that says what to fix. The TLS settings mean what
/// they mean for <see cref="RegistryVerificationOptions"/> and for dockerd: configure both alike.</remarks>
public sealed class IdentityTokenSourceOptions
{
    /// <summary>The longest <see cref="Timeout"/> accepted.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The smallest <see cref="MaxResponseBytes"/> accepted: room for a token answer with a long JWT.</summary>
    public const int MinResponseBytes = 4 * 1024;

    /// <summary>The largest <see cref="MaxResponseBytes"/> accepted.</summary>
    public const int MaxResponseBytesLimit = 1024 * 1024;

    /// <summary>The longest an access token is kept, whatever the token realm says (a realm that says years is shortened to this).</summary>
    public static TimeSpan MaxTokenLifetime { get; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets Docker's per-registry certificate folder; the default is <c>/etc/docker/certs.d</c>. Must not be empty.</summary>
    /// <remarks>The CA certificates (<c>*.crt</c>) of <c>{folder}/HOST:PORT/</c> are trusted for the registry and for
    /// its token realm's host, in addition to the system's trust store, as dockerd does. A folder that does not exist adds no trust.</remarks>
    public string CertificatesDirectory { get; set; } = "/etc/docker/certs.d";

    /// <summary>Gets the registries treated as insecure, as dockerd's <c>insecure-registries</c>: HTTPS without
    /// certificate checks first, then plain HTTP. Empty by default.</summary>
    public ISet<RegistryAddress> InsecureRegistries { get; } = new HashSet<RegistryAddress>();

    /// <summary>Gets or sets how long one fetch (the registry's challenge and the token exchange, together) may take
    /// before it fails; the default is 30 seconds. Must be positive and at most <see cref="MaxTimeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the most bytes read of one answer (the registry's or the token realm's); a longer token
    /// answer is refused. The default is 64 KiB; from <see cref="MinResponseBytes"/> to <see cref="MaxResponseBytesLimit"/>.</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>Gets or sets the OAuth2 <c>client_id</c> sent with each exchange; the default is <c>registries-core</c>
    /// (docker sends <c>docker</c>). 1 to 64 printable ASCII characters.</summary>
    public string ClientId { get; set; } = "registries-core";
}
