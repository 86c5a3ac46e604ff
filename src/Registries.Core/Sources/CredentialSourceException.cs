namespace Registries.Core.Sources;

/// <summary>A credential source failed: the helper or plugin is not allowed or not found, it failed or timed out, or the
/// token realm refused the refresh token.</summary>
/// <remarks>The message says what failed and what to fix, and never holds a secret or a program's raw output beyond a
/// bounded, cleaned first line. Resolutions turn it into <see cref="ResolutionOutcome.Unavailable"/> with the message as
/// the reason; it reaches an application only from the sources' own methods.</remarks>
public sealed class CredentialSourceException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="source">The source that failed.</param>
    /// <param name="message">What failed and what to fix, without a secret.</param>
    public CredentialSourceException(CredentialSource source, string message)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(source);
        CredentialSource = source;
    }

    /// <summary>Gets the source that failed.</summary>
    public CredentialSource CredentialSource { get; }
}
