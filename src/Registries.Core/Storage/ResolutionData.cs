namespace Registries.Core.Storage;

/// <summary>What resolving the images of one registry address needs, read together: the environment and the entries
/// that could cover the address (see <see cref="IRegistryStore.ReadResolutionAsync"/>).</summary>
/// <remarks>Immutable; a struct, so the resolution path allocates nothing for it. Holds passwords (in its records), so
/// it never leaves the service and the store.</remarks>
public readonly struct ResolutionData : IEquatable<ResolutionData>
{
    /// <summary>Initializes the data.</summary>
    /// <param name="environment">The environment, or <see langword="null"/> when there is none with the identifier.</param>
    /// <param name="entries">The entries of the address and of the host patterns that cover it (empty without an environment).</param>
    public ResolutionData(RegistryEnvironment? environment, IReadOnlyList<StoredRegistry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Environment = environment;
        Entries = entries;
    }

    /// <summary>Gets the environment, or <see langword="null"/> when there is none.</summary>
    public RegistryEnvironment? Environment { get; }

    /// <summary>Gets the entries that could cover the address, oldest first.</summary>
    public IReadOnlyList<StoredRegistry> Entries { get; }

    /// <summary>Compares two values: equal when they hold the same environment and the same list instance.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when both are equal.</returns>
    public static bool operator ==(ResolutionData left, ResolutionData right) => left.Equals(right);

    /// <summary>Compares two values for inequality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(ResolutionData left, ResolutionData right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(ResolutionData other) => ReferenceEquals(Environment, other.Environment) && ReferenceEquals(Entries, other.Entries);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ResolutionData other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Environment, Entries);

    /// <inheritdoc/>
    public override string ToString() => $"{Environment?.Id ?? "(no environment)"}: {Entries?.Count ?? 0} entries";
}
