namespace Registries.Core;

/// <summary>A write was based on a version that another writer has replaced in the meantime.</summary>
/// <remarks>Nothing was written. Read the record again and retry the operation.</remarks>
public sealed class ConcurrencyConflictException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="id">The environment or registry whose write was refused.</param>
    /// <param name="expectedVersion">The version the writer read.</param>
    /// <param name="actualVersion">The version in the store now.</param>
    public ConcurrencyConflictException(string id, long expectedVersion, long actualVersion)
        : base($"'{id}' was changed by someone else (version {actualVersion}, this change was based on {expectedVersion}); nothing was written. Read it again and retry.")
    {
        Id = id;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Gets the environment or registry whose write was refused.</summary>
    public string Id { get; }

    /// <summary>Gets the version the writer read.</summary>
    public long ExpectedVersion { get; }

    /// <summary>Gets the version in the store.</summary>
    public long ActualVersion { get; }
}
