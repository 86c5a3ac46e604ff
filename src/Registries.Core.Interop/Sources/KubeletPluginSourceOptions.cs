namespace Registries.Core.Interop;

/// <summary>Options of <see cref="KubeletPluginSource"/>: the operator's kubelet <c>CredentialProviderConfig</c> file and
/// the folder of the plugins it names, as a kubelet's <c>--image-credential-provider-config</c> and
/// <c>--image-credential-provider-bin-dir</c>.</summary>
/// <remarks>Validated when a source is built, and at start under dependency injection (<c>AddKubeletPluginSource</c>):
/// the config file is read then, and a path that is not absolute, a file that is not a valid config (the message names
/// the line) or a timeout out of range fails with an <c>OptionsValidationException</c> that says what to fix.</remarks>
public sealed class KubeletPluginSourceOptions
{
    /// <summary>The longest <see cref="Timeout"/> accepted.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the absolute path of the <c>CredentialProviderConfig</c> file (YAML or JSON,
    /// <c>kubelet.config.k8s.io/v1</c> or <c>v1beta1</c>); required.</summary>
    /// <remarks>Only the providers it names run. It is read once, when the source is built: restart the application after
    /// changing it, as a kubelet is restarted.</remarks>
    public string? ConfigFile { get; set; }

    /// <summary>Gets or sets the absolute folder that holds the plugins (a provider named <c>NAME</c> runs
    /// <c>BinDirectory/NAME</c>); required.</summary>
    /// <remarks>A plugin, and this folder, must be owned by root or by this process's user and not be writable by group or
    /// others; otherwise it is refused.</remarks>
    public string? BinDirectory { get; set; }

    /// <summary>Gets or sets how long a plugin may take before it (and everything it started) is killed and the fetch
    /// fails; 30 seconds by default (a plugin may call a cloud API), at most <see cref="MaxTimeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
