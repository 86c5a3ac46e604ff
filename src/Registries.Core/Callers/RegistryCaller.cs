namespace Registries.Core;

/// <summary>Who calls the library: the user whose environment memberships decide what an operation may do.</summary>
/// <remarks>Immutable. Two callers are equal when their names are equal (ordinal, as the identity provider gives them,
/// and as <see cref="RegistryEnvironment.Members"/> compares them).</remarks>
public sealed class RegistryCaller : IEquatable<RegistryCaller>
{
    /// <summary>Initializes a caller.</summary>
    /// <param name="name">The user name, as environments list their members.</param>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public RegistryCaller(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Gets the user name.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public bool Equals(RegistryCaller? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryCaller);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
