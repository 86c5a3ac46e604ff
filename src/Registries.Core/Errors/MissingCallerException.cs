namespace Registries.Core;

/// <summary>An operation was called with no caller: no <see cref="IRegistryCallerAccessor"/> knew one.</summary>
/// <remarks>An application that serves anonymous requests maps this to "sign in first" (HTTP 401); nothing was read
/// or changed.</remarks>
public sealed class MissingCallerException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    public MissingCallerException()
        : base("No caller is known for this operation: sign the user in (the registered IRegistryCallerAccessor returned none), or bind the service to a caller with RegistryService.As(user).")
    {
    }
}
