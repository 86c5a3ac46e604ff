namespace Registries.Core;

/// <summary>A new environment would bear the name (or the id) of an environment its creator can already see.</summary>
/// <remarks>Names are compared as <see cref="RegistryEnvironment.IsNamed(string)"/> does. Refusing the duplicate keeps
/// every name its creator can see usable in place of an id. Nothing is created.</remarks>
public sealed class DuplicateEnvironmentNameException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="name">The name that was asked for.</param>
    /// <param name="existingEnvironmentId">The id of the environment the creator can already see under that name.</param>
    public DuplicateEnvironmentNameException(string name, string existingEnvironmentId)
        : base(string.Equals(name, existingEnvironmentId, StringComparison.Ordinal)
            ? $"'{name}' is the id of an environment you can already see: choose another name, which would otherwise never be found by name."
            : $"You can already see an environment called '{name}' (id '{existingEnvironmentId}'): choose another name, or use the id '{existingEnvironmentId}' to work with the existing one.")
    {
        Name = name;
        ExistingEnvironmentId = existingEnvironmentId;
    }

    /// <summary>Gets the name that was asked for.</summary>
    public string Name { get; }

    /// <summary>Gets the id of the environment the creator can already see under that name (or with that id).</summary>
    public string ExistingEnvironmentId { get; }
}
