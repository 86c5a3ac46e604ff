namespace Registries.Core;

/// <summary>A name given where an environment's id or name is taken matches several environments the user can see.</summary>
/// <remarks>Only the environments the user is a member of are counted and listed: a name never reveals an environment
/// to an outsider. Use one of <see cref="EnvironmentIds"/> instead of the name.</remarks>
public sealed class AmbiguousEnvironmentNameException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="name">The name that was given.</param>
    /// <param name="environmentIds">The ids of the environments the user can see that bear this name.</param>
    public AmbiguousEnvironmentNameException(string name, IReadOnlyList<string> environmentIds)
        : base($"The name '{name}' matches {environmentIds?.Count} environments you can see ({string.Join(", ", environmentIds ?? [])}): give the id of the one you mean instead.")
    {
        ArgumentNullException.ThrowIfNull(environmentIds);
        Name = name;
        EnvironmentIds = environmentIds.ToArray();
    }

    /// <summary>Gets the name that was given.</summary>
    public string Name { get; }

    /// <summary>Gets the ids of the environments the user can see that bear the name, in order of creation.</summary>
    public IReadOnlyList<string> EnvironmentIds { get; }
}
