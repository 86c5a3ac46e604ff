namespace Registries.Core;

/// <summary>A registry entry of an environment: an address and the non-secret parts of its credential.</summary>
/// <remarks>
/// <para>A <see cref="Registry"/> never holds the password: it is what every read path returns. The password
/// travels only in <see cref="Storage.StoredRegistry"/> (between the service and its store) and in an authenticated
/// <see cref="CredentialResolution"/>.</para>
/// <para><see cref="Sequence"/> is the store-assigned order of addition ("most recently added" means the highest
/// sequence); <see cref="Version"/> is the optimistic-concurrency version. Immutable.</para>
/// </remarks>
public sealed class Registry
{
    /// <summary>Initializes a registry entry as a store reads or writes it.</summary>
    /// <param name="id">The store-assigned identifier.</param>
    /// <param name="environmentId">The environment the entry belongs to.</param>
    /// <param name="address">The registry address; it decides <see cref="Kind"/>.</param>
    /// <param name="state">The state.</param>
    /// <param name="email">The e-mail address of the credential.</param>
    /// <param name="username">The username of the credential.</param>
    /// <param name="sequence">The store-assigned order of addition (1 or more).</param>
    /// <param name="version">The optimistic-concurrency version (1 or more).</param>
    /// <param name="source">Where the credential comes from; <see cref="CredentialSource.Stored"/> when <see langword="null"/>.</param>
    /// <param name="expiresAt">When a stored credential stops working, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">An argument is empty or out of range, or an expiry is given to a source that is not Stored.</exception>
    public Registry(string id, string environmentId, RegistryAddress address, RegistryState state, string email, string username, long sequence, long version, CredentialSource? source = null, DateTimeOffset? expiresAt = null)
        : this(id, environmentId, RegistryScope.Of(address ?? throw new ArgumentNullException(nameof(address))), state, email, username, sequence, version, source, expiresAt)
    {
    }

    /// <summary>Initializes a registry entry with a scope (a path prefix or a host pattern) as a store reads or writes it.</summary>
    /// <param name="id">The store-assigned identifier.</param>
    /// <param name="environmentId">The environment the entry belongs to.</param>
    /// <param name="scope">What the entry covers: its address or host pattern, and its path prefix if any.</param>
    /// <param name="state">The state.</param>
    /// <param name="email">The e-mail address of the credential.</param>
    /// <param name="username">The username of the credential.</param>
    /// <param name="sequence">The store-assigned order of addition (1 or more).</param>
    /// <param name="version">The optimistic-concurrency version (1 or more).</param>
    /// <param name="source">Where the credential comes from; <see cref="CredentialSource.Stored"/> when <see langword="null"/>.</param>
    /// <param name="expiresAt">When a stored credential stops working, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">An argument is empty or out of range, or an expiry is given to a source that is not Stored.</exception>
    public Registry(string id, string environmentId, RegistryScope scope, RegistryState state, string email, string username, long sequence, long version, CredentialSource? source = null, DateTimeOffset? expiresAt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(environmentId);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown registry state.");
        }

        Id = id;
        EnvironmentId = environmentId;
        Scope = scope;
        State = state;
        Email = email;
        Username = username;
        source ??= CredentialSource.Stored;
        if (expiresAt is not null && source.Kind != CredentialSourceKind.Stored)
        {
            throw new ArgumentException($"Only a stored credential has an expiry date of its own; a {source.KindName} source tells its own.", nameof(expiresAt));
        }

        Sequence = sequence;
        Version = version;
        Source = source;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the store-assigned identifier.</summary>
    public string Id { get; }

    /// <summary>Gets the identifier of the environment the entry belongs to.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets what the entry covers: its address or host pattern, and its repository path prefix if any.</summary>
    public RegistryScope Scope { get; }

    /// <summary>Gets the registry address, or the host pattern for an entry whose scope is one (<see cref="RegistryAddress.IsPattern"/>).</summary>
    public RegistryAddress Address => Scope.Address;

    /// <summary>Gets the repository path prefix, or the empty string when the entry covers its whole address.</summary>
    public string Path => Scope.Path;

    /// <summary>Gets the kind, which follows from the address.</summary>
    public RegistryKind Kind => KindOf(Address);

    /// <summary>Gets the state.</summary>
    public RegistryState State { get; }

    /// <summary>Gets the e-mail address of the credential.</summary>
    public string Email { get; }

    /// <summary>Gets the username of the credential: the stored one, or for a helper or plugin source (which tells its own
    /// at each fetch) the empty string.</summary>
    public string Username { get; }

    /// <summary>Gets where the credential comes from: stored with the entry, or fetched from a source at resolution.</summary>
    public CredentialSource Source { get; }

    /// <summary>Gets when a stored credential stops working (a robot account's or deploy token's expiry), or
    /// <see langword="null"/> for none. From then on the entry answers Denied, with the date in the reason.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Gets the store-assigned order of addition; the highest is the most recently added.</summary>
    public long Sequence { get; }

    /// <summary>Gets the optimistic-concurrency version.</summary>
    public long Version { get; }

    /// <summary>Returns the kind of registry an address is.</summary>
    /// <param name="address">The address.</param>
    /// <returns><see cref="RegistryKind.DockerHub"/>, <see cref="RegistryKind.Quay"/> or <see cref="RegistryKind.Custom"/>.</returns>
    public static RegistryKind KindOf(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsDockerHub ? RegistryKind.DockerHub
            : address.Equals(RegistryAddress.Quay) ? RegistryKind.Quay
            : RegistryKind.Custom;
    }

    /// <summary>Returns a copy in another state.</summary>
    /// <param name="state">The new state.</param>
    /// <returns>The copy, with the same version (the store assigns the next one when it writes).</returns>
    public Registry WithState(RegistryState state) => new(Id, EnvironmentId, Scope, state, Email, Username, Sequence, Version, Source, ExpiresAt);

    /// <summary>Returns a copy with another e-mail address and username.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <returns>The copy.</returns>
    public Registry WithIdentity(string email, string username) => new(Id, EnvironmentId, Scope, State, email, username, Sequence, Version, Source, ExpiresAt);

    /// <summary>Returns a copy with the non-secret parts of another credential: e-mail address, username, source and expiry.</summary>
    /// <param name="credential">The credential (an edit may change the source).</param>
    /// <returns>The copy.</returns>
    public Registry WithCredential(RegistryCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new(Id, EnvironmentId, Scope, State, credential.Email, credential.Username, Sequence, Version, credential.Source, credential.ExpiresAt);
    }

    /// <inheritdoc/>
    public override string ToString() => Source.Kind == CredentialSourceKind.Stored
        ? $"{Scope} ({Id}, {State}, user {Username}{(ExpiresAt is { } at ? $", expires {at:u}" : string.Empty)})"
        : $"{Scope} ({Id}, {State}, {Source})";
}
