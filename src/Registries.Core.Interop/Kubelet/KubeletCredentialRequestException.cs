namespace Registries.Core.Interop;

/// <summary>The kubelet's <c>CredentialProviderRequest</c> could not be read: it is not JSON, too large, of another API version or kind, or its image is missing or no image reference.</summary>
/// <remarks>The message says what is wrong; it never quotes the request's other fields (a service account token may be among them).</remarks>
public sealed class KubeletCredentialRequestException : FormatException
{
    /// <summary>Initializes a new exception with a message that says what is wrong.</summary>
    /// <param name="message">What is wrong with the request and what to check.</param>
    public KubeletCredentialRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new exception with a message and the error that caused it.</summary>
    /// <param name="message">What is wrong with the request and what to check.</param>
    /// <param name="innerException">The parser's error.</param>
    public KubeletCredentialRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new exception with a generic message.</summary>
    public KubeletCredentialRequestException()
        : base("The kubelet's CredentialProviderRequest could not be read.")
    {
    }
}
