namespace Registries.Core;

/// <summary>The exception thrown when an image reference cannot be parsed.</summary>
public sealed class ImageReferenceFormatException : FormatException
{
    /// <summary>Initializes a new instance with the reason and a message that explains it.</summary>
    /// <param name="error">Why the reference was refused.</param>
    /// <param name="message">A message that says what is wrong and how to fix it.</param>
    public ImageReferenceFormatException(ImageReferenceError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Gets why the reference was refused.</summary>
    public ImageReferenceError Error { get; }
}
