namespace Registries.Core;

/// <summary>The exception thrown when a registry address cannot be parsed.</summary>
/// <remarks>The message says what is wrong and, where one exists, shows the corrected form.</remarks>
public sealed class RegistryAddressFormatException : FormatException
{
    /// <summary>Initializes a new instance with the reason and a message that explains it.</summary>
    /// <param name="error">Why the address was refused.</param>
    /// <param name="message">A message that says what is wrong and how to fix it.</param>
    public RegistryAddressFormatException(RegistryAddressError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Gets why the address was refused.</summary>
    public RegistryAddressError Error { get; }
}
