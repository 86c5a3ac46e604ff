namespace Registries.Core;

/// <summary>The base class of every error the library reports on purpose.</summary>
/// <remarks>Messages say what was wrong and what to do next, and never contain a secret.</remarks>
public abstract class RegistriesException : Exception
{
    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    protected RegistriesException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the fault that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying fault.</param>
    protected RegistriesException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
