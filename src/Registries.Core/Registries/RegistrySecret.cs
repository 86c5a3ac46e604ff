namespace Registries.Core;

/// <summary>A registry password, kept out of every textual representation.</summary>
/// <remarks>
/// <para><see cref="ToString"/> never returns the password, and equality is by reference so that a password can
/// never be probed through <see cref="object.Equals(object?)"/> or a hash code. The only way to read it is
/// <see cref="Reveal"/>, which adapters call when they hand the credential to an engine or write a Docker
/// config on purpose.</para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class RegistrySecret
{
    private readonly string _value;

    /// <summary>Initializes a new secret.</summary>
    /// <param name="value">The password; any characters, not empty.</param>
    /// <exception cref="ArgumentException">The password is <see langword="null"/> or empty.</exception>
    public RegistrySecret(string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException("A password is required: give the registry password (it is never shown again).", nameof(value));
        }

        _value = value;
    }

    /// <summary>Returns the password in clear text. Call it only to hand the credential to its registry.</summary>
    /// <returns>The password.</returns>
    public string Reveal() => _value;

    /// <summary>Returns a fixed placeholder, never the password.</summary>
    /// <returns>The text <c>***</c>.</returns>
    public override string ToString() => "***";
}
