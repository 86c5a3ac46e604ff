namespace Registries.Core.Interop;

/// <summary>Options of <see cref="DockerCredentialHelperSource"/>: which <c>docker-credential-*</c> helpers the operator
/// allows, where they are, and how long one may take.</summary>
/// <remarks>Validated when a source is built, and at start under dependency injection (<c>AddCredentialHelperSource</c>);
/// an invalid value fails with an <c>OptionsValidationException</c> that says what to fix.</remarks>
public sealed class CredentialHelperSourceOptions
{
    /// <summary>The longest <see cref="Timeout"/> accepted.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets the names of the helpers that may run (<c>ecr-login</c> runs <c>docker-credential-ecr-login</c>);
    /// empty by default, which allows none.</summary>
    /// <remarks>Members choose among these names when they add an entry; a name that is not here never runs, whatever an
    /// entry says. Names are 1 to 64 letters, digits, '.', '_' and '-' (never a path).</remarks>
    public IList<string> AllowedHelpers { get; } = new List<string>();

    /// <summary>Gets the folders searched for <c>docker-credential-NAME</c>, in order; when empty, the absolute folders of
    /// this process's <c>PATH</c> (read when the source is built; relative entries are skipped, as docker skips them).</summary>
    /// <remarks>Each must be an absolute path. A helper, its folder and the file a link leads to must be owned by root or
    /// by this process's user and not be writable by group or others; otherwise it is refused.</remarks>
    public IList<string> HelperDirectories { get; } = new List<string>();

    /// <summary>Gets or sets how long a helper may take before it (and everything it started) is killed and the fetch
    /// fails; 10 seconds by default, at most <see cref="MaxTimeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
