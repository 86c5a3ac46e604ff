namespace Registries.Core.HostConfiguration;

/// <summary>Configuring the Docker host failed; <see cref="Error"/> says why and the message says how to fix it.</summary>
/// <remarks>When this exception is thrown, no file has been changed by the failed operation.</remarks>
public sealed class DockerHostConfigurationException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="message">The message: what was wrong and what to do.</param>
    /// <param name="filePath">The file concerned, if any.</param>
    /// <param name="lineNumber">The 1-based line concerned, if any.</param>
    /// <param name="innerException">The underlying fault, if any.</param>
    public DockerHostConfigurationException(
        DockerHostConfigurationError error,
        string message,
        string? filePath = null,
        int? lineNumber = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>Gets what went wrong.</summary>
    public DockerHostConfigurationError Error { get; }

    /// <summary>Gets the file concerned, or <see langword="null"/> when the error is not about a file.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the 1-based line of <see cref="FilePath"/> concerned, or <see langword="null"/> when unknown.</summary>
    public int? LineNumber { get; }
}
