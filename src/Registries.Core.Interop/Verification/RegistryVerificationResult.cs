namespace Registries.Core.Interop;

/// <summary>The result of verifying a credential against its registry.</summary>
/// <remarks>Immutable. <see cref="Message"/> never contains the password: anything the registry echoes back that
/// contains it is masked.</remarks>
public sealed class RegistryVerificationResult
{
    internal RegistryVerificationResult(RegistryAddress address, RegistryVerificationOutcome outcome, string message)
    {
        Address = address;
        Outcome = outcome;
        Message = message;
    }

    /// <summary>Gets the address of the registry that was asked.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the answer.</summary>
    public RegistryVerificationOutcome Outcome { get; }

    /// <summary>Gets what happened, in words a user can act on (the registry's message when it refused the credential).</summary>
    public string Message { get; }

    /// <summary>Gets a value indicating whether the credential was accepted.</summary>
    public bool IsValid => Outcome == RegistryVerificationOutcome.Valid;

    /// <inheritdoc/>
    public override string ToString() => $"{Address}: {Outcome}: {Message}";
}
