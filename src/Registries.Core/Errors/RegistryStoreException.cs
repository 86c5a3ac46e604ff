namespace Registries.Core;

/// <summary>A store could not read or write its data (a corrupt file, a failed disk, an unreachable database).</summary>
/// <remarks>Nothing already stored was changed by the failed operation.</remarks>
public sealed class RegistryStoreException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed, naming the file or resource, and what to do.</param>
    /// <param name="innerException">The underlying fault, if any.</param>
    public RegistryStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
