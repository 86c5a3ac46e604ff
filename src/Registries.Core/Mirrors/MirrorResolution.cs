namespace Registries.Core;

/// <summary>One place an image would be pulled from, with the credential resolved for it there: a mirror's credential
/// is the one the environment's entries give the mirror's address, decided by the same rules as any registry's.</summary>
public sealed class MirrorResolution
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="source">Where the image is pulled from, and its name there.</param>
    /// <param name="credential">The credential resolved for the image's name at that source (for the upstream itself,
    /// the image's own resolution).</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public MirrorResolution(MirrorSource source, CredentialResolution credential)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(credential);
        Source = source;
        Credential = credential;
    }

    /// <summary>Gets where the image is pulled from, and its name there.</summary>
    public MirrorSource Source { get; }

    /// <summary>Gets the credential for the image's name at that source.</summary>
    public CredentialResolution Credential { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Source}: {Credential.Outcome}";
}
