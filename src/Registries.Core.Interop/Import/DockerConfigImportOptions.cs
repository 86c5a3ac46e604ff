namespace Registries.Core.Interop;

/// <summary>Options of <see cref="DockerConfigImporter"/>.</summary>
public sealed class DockerConfigImportOptions
{
    /// <summary>Gets or sets how long a <c>docker-credential-*</c> helper may take to answer before it is killed and its entry fails; the default is 10 seconds.</summary>
    public TimeSpan HelperTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the folders searched for <c>docker-credential-NAME</c> helpers, in order, before the folders of <c>PATH</c>.</summary>
    /// <remarks>These folders also come first in the helper's own <c>PATH</c>.</remarks>
    public IList<string> HelperDirectories { get; } = new List<string>();

    /// <summary>Gets or sets a verifier: when set, each credential is checked against its registry before it is added, and an entry that is not Valid fails.</summary>
    public RegistryCredentialVerifier? Verifier { get; set; }
}
