namespace Registries.Core;

/// <summary>The environment does not exist, or the user is not one of its members.</summary>
/// <remarks>Both cases give the same error so that an outsider cannot learn that an environment exists.</remarks>
public sealed class EnvironmentNotFoundException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="environmentId">The identifier (or name) that was asked for.</param>
    public EnvironmentNotFoundException(string environmentId)
        : base($"Environment '{environmentId}' was not found, or you are not one of its members. Check the id or name among the environments you can see.")
    {
        EnvironmentId = environmentId;
    }

    /// <summary>Gets the identifier (or name) that was asked for.</summary>
    public string EnvironmentId { get; }
}
