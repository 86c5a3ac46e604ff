using Registries.Core.Engine;

namespace Registries.Core.Testing;

/// <summary>One pull that reached a <see cref="FakeImageEngine"/>: the image, the credential it was given and how it ended.</summary>
/// <remarks>Immutable. <see cref="ToString"/> names the image, the outcome, the entry and the user, never the password;
/// a test that must check the password sent reads <c>Resolution.Password?.Reveal()</c>.</remarks>
public sealed class RecordedPull
{
    internal RecordedPull(CredentialResolution resolution, ImageReference image, ImagePullError? error)
    {
        Resolution = resolution;
        Image = image;
        Error = error;
    }

    /// <summary>Gets the image that was pulled.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets the resolution the pull was made with: Authenticated (with its credential) or Anonymous.</summary>
    public CredentialResolution Resolution { get; }

    /// <summary>Gets whether the pull carried a credential (Authenticated) or none (Anonymous).</summary>
    public ResolutionOutcome Outcome => Resolution.Outcome;

    /// <summary>Gets the identifier of the registry entry whose credential was sent, or <see langword="null"/> for an anonymous pull.</summary>
    public string? RegistryId => Resolution.RegistryId;

    /// <summary>Gets the username that was sent, or <see langword="null"/> for an anonymous pull.</summary>
    public string? Username => Resolution.Username;

    /// <summary>Gets why the pull failed, or <see langword="null"/> when it made the image present.</summary>
    public ImagePullError? Error { get; }

    /// <summary>Gets a value indicating whether the pull made the image present.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Describes the pull without its password.</summary>
    /// <returns>For example <c>registry.example.com/team/app:1.0 pulled as 'ci' (reg-1)</c>.</returns>
    public override string ToString()
    {
        var how = Outcome == ResolutionOutcome.Authenticated ? $"as '{Username}' ({RegistryId})" : "anonymously";
        return Succeeded ? $"{Image} pulled {how}" : $"{Image} failed ({Error}) {how}";
    }
}
