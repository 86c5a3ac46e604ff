namespace Registries.Core.Interop;

/// <summary>Thrown when a credential that had to be verified before it is saved was not accepted by its registry.</summary>
public sealed class RegistryVerificationException : RegistriesException
{
    /// <summary>Initializes a new instance from the verification result.</summary>
    /// <param name="result">The result, Invalid or Unreachable.</param>
    public RegistryVerificationException(RegistryVerificationResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    /// <summary>Gets the verification result.</summary>
    public RegistryVerificationResult Result { get; }

    private static string Describe(RegistryVerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome == RegistryVerificationOutcome.Invalid
            ? $"The credential was not saved: {result.Address} refused it: {result.Message}"
            : $"The credential was not saved: it could not be checked against {result.Address}: {result.Message}";
    }
}
