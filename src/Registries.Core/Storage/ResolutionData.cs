namespace Registries.Core.Storage;

/// <summary>What resolving the images of one registry address needs, read together: the environment and the entries
/// that could cover the address (see <see cref="IRegistryStore.ReadResolutionAsync"/>).</summary>
/// <remarks>Immutable; holds passwords (in its records), so it never leaves the service and the store.</remarks>
public sealed class ResolutionData
{
    /// <summary>Initializes the data.</summary>
    /// <param name="environment">The environment, or <see langword="null"/> when there is none with the identifier.</param>
    /// <param name="entries">The entries of the address and of the host patterns that cover it (empty without an environment).</param>
    public ResolutionData(RegistryEnvironment? environment, IReadOnlyList<RegistryRecord> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Environment = environment;
        Entries = entries;
    }

    /// <summary>Gets the environment, or <see langword="null"/> when there is none.</summary>
    public RegistryEnvironment? Environment { get; }

    /// <summary>Gets the entries that could cover the address, oldest first.</summary>
    public IReadOnlyList<RegistryRecord> Entries { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Environment?.Id ?? "(no environment)"}: {Entries.Count} entries";
}
