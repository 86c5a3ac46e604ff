namespace Registries.Core.Interop;

/// <summary>Options of <see cref="DockerConfigImporter"/>.</summary>
/// <remarks>Validated when an importer is built, and at start under dependency injection (<c>UseDockerConfigInterop</c>);
/// an invalid value fails with an <c>OptionsValidationException</c> that says what to fix.</remarks>
public sealed class DockerConfigImportOptions
{
    /// <summary>The longest <see cref="HelperTimeout"/> accepted: a helper answers from a keychain or a cloud API in seconds.</summary>
    public static TimeSpan MaxHelperTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long a <c>docker-credential-*</c> helper may take to answer before it is killed and its
    /// entry fails; the default is 10 seconds. Must be positive and at most <see cref="MaxHelperTimeout"/>.</summary>
    public TimeSpan HelperTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the folders searched for <c>docker-credential-NAME</c> helpers, in order, before the folders of <c>PATH</c>.</summary>
    /// <remarks>Each must be an absolute path: a relative one would depend on the process's current folder, which is how
    /// a planted helper gets run (the docker CLI refuses helpers found through relative <c>PATH</c> entries for the same
    /// reason). These folders also come first in the helper's own <c>PATH</c>.</remarks>
    public IList<string> HelperDirectories { get; } = new List<string>();

    /// <summary>Gets or sets a value indicating whether each credential is checked against its registry before it is
    /// added (an entry that is not Valid fails, with the registry's answer); the default is <see langword="false"/>.</summary>
    /// <remarks>Verification needs a <see cref="RegistryCredentialVerifier"/>: the importer's constructor takes it, and
    /// under dependency injection it is the one <c>UseRegistryVerification</c> registers.</remarks>
    public bool Verify { get; set; }
}
