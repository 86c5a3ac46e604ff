namespace Registries.Core.Interop;

/// <summary>Thrown when a Docker config file is not JSON or not shaped like a Docker config.</summary>
public sealed class DockerConfigFormatException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What is wrong and how to fix it (never the content of the file).</param>
    /// <param name="innerException">The parser's error, if any.</param>
    public DockerConfigFormatException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
