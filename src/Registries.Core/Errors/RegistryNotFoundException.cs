namespace Registries.Core;

/// <summary>The registry entry does not exist in the environment (or the environment is not visible to the user).</summary>
public sealed class RegistryNotFoundException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="environmentId">The environment that was searched.</param>
    /// <param name="registryId">The identifier that was asked for.</param>
    public RegistryNotFoundException(string environmentId, string registryId)
        : base($"Registry '{registryId}' was not found in environment '{environmentId}'. Check the id in the environment's registry list.")
    {
        EnvironmentId = environmentId;
        RegistryId = registryId;
    }

    /// <summary>Gets the environment that was searched.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets the identifier that was asked for.</summary>
    public string RegistryId { get; }
}
