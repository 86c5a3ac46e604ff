using System.Collections.Immutable;

namespace Registries.Core;

/// <summary>An environment: a set of hosts with one orchestration, its members, and (in Cattle) its registries.</summary>
/// <remarks>Immutable: the <c>With*</c> methods return a copy. <see cref="Version"/> is the optimistic-concurrency
/// version that the store assigned when it last wrote the environment.</remarks>
public sealed class RegistryEnvironment
{
    /// <summary>Initializes a new environment as a store reads or writes it.</summary>
    /// <param name="id">The store-assigned identifier.</param>
    /// <param name="name">The display name.</param>
    /// <param name="orchestration">The orchestration kind.</param>
    /// <param name="members">The members by user name, with their roles.</param>
    /// <param name="version">The store-assigned version (1 for a new environment).</param>
    /// <exception cref="ArgumentException">The id or name is empty, or the version is below 1.</exception>
    public RegistryEnvironment(string id, string name, OrchestrationKind orchestration, IEnumerable<KeyValuePair<string, EnvironmentRole>> members, long version)
        : this(id, name, orchestration, members, version, RegistryPolicy.Empty, RegistryMirrors.Empty)
    {
    }

    /// <summary>Initializes a new environment with a policy and mirrors, as a store reads or writes it.</summary>
    /// <param name="id">The store-assigned identifier.</param>
    /// <param name="name">The display name.</param>
    /// <param name="orchestration">The orchestration kind.</param>
    /// <param name="members">The members by user name, with their roles.</param>
    /// <param name="version">The store-assigned version (1 for a new environment).</param>
    /// <param name="policy">Which images may launch.</param>
    /// <param name="mirrors">The mirrors images are pulled through.</param>
    /// <exception cref="ArgumentException">The id or name is empty, or the version is below 1.</exception>
    public RegistryEnvironment(string id, string name, OrchestrationKind orchestration, IEnumerable<KeyValuePair<string, EnvironmentRole>> members, long version, RegistryPolicy policy, RegistryMirrors mirrors)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(mirrors);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (!Enum.IsDefined(orchestration))
        {
            throw new ArgumentOutOfRangeException(nameof(orchestration), orchestration, "Unknown orchestration kind.");
        }

        Id = id;
        Name = name;
        Orchestration = orchestration;
        Members = members.ToImmutableDictionary(StringComparer.Ordinal);
        Version = version;
        Policy = policy;
        Mirrors = mirrors;
    }

    /// <summary>Gets the store-assigned identifier.</summary>
    public string Id { get; }

    /// <summary>Gets the display name.</summary>
    public string Name { get; }

    /// <summary>Gets the orchestration kind.</summary>
    public OrchestrationKind Orchestration { get; }

    /// <summary>Gets the members by user name (compared ordinally, as the identity provider gives them).</summary>
    public IReadOnlyDictionary<string, EnvironmentRole> Members { get; }

    /// <summary>Gets the optimistic-concurrency version assigned by the store.</summary>
    public long Version { get; }

    /// <summary>Gets which images may launch in the environment (<see cref="RegistryPolicy.Empty"/>: all of them).</summary>
    public RegistryPolicy Policy { get; }

    /// <summary>Gets the mirrors the environment's images are pulled through (<see cref="RegistryMirrors.Empty"/>: none).</summary>
    public RegistryMirrors Mirrors { get; }

    /// <summary>Tells whether the environment is called <paramref name="name"/>.</summary>
    /// <param name="name">A name, for example as a user typed it.</param>
    /// <returns><see langword="true"/> when the names are equal, ignoring case (ordinal, culture-invariant) and white space around them.</returns>
    /// <remarks>Ignoring case means "Prod" and "prod" cannot name two environments one user can see: they look alike in
    /// a listing. No other normalization is made (a different Unicode composition is a different name).</remarks>
    public bool IsNamed(string? name)
        => name is not null && Name.AsSpan().Trim().Equals(name.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the role of a user, or <see langword="null"/> when the user is not a member.</summary>
    /// <param name="user">The user name.</param>
    /// <returns>The user's role, or <see langword="null"/>.</returns>
    public EnvironmentRole? RoleOf(string user)
        => user is not null && Members.TryGetValue(user, out var role) ? role : null;

    /// <summary>Returns a copy in which <paramref name="user"/> has <paramref name="role"/> (added or changed).</summary>
    /// <param name="user">The user name.</param>
    /// <param name="role">The role.</param>
    /// <returns>The changed copy, with the same version (the store assigns the next one when it writes).</returns>
    /// <exception cref="ArgumentException">The user name is empty or the role is unknown.</exception>
    public RegistryEnvironment WithMember(string user, EnvironmentRole role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role.");
        }

        return new RegistryEnvironment(Id, Name, Orchestration, ((ImmutableDictionary<string, EnvironmentRole>)Members).SetItem(user, role), Version, Policy, Mirrors);
    }

    /// <summary>Returns a copy without a member.</summary>
    /// <param name="user">The user to remove; a user who is not a member leaves the copy equal to this environment.</param>
    /// <returns>The copy, with the same version (the store assigns the next one when it writes).</returns>
    /// <exception cref="ArgumentException"><paramref name="user"/> is empty.</exception>
    public RegistryEnvironment WithoutMember(string user)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        return new RegistryEnvironment(Id, Name, Orchestration, ((ImmutableDictionary<string, EnvironmentRole>)Members).Remove(user), Version, Policy, Mirrors);
    }

    /// <summary>Returns a copy with another policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <returns>The copy, with the same version (the store assigns the next one when it writes).</returns>
    public RegistryEnvironment WithPolicy(RegistryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new RegistryEnvironment(Id, Name, Orchestration, Members, Version, policy, Mirrors);
    }

    /// <summary>Returns a copy with other mirrors.</summary>
    /// <param name="mirrors">The mirrors.</param>
    /// <returns>The copy, with the same version (the store assigns the next one when it writes).</returns>
    public RegistryEnvironment WithMirrors(RegistryMirrors mirrors)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        return new RegistryEnvironment(Id, Name, Orchestration, Members, Version, Policy, mirrors);
    }

    /// <summary>Tells whether <paramref name="user"/> holds <paramref name="permission"/> in this environment.</summary>
    /// <param name="user">The user name.</param>
    /// <param name="permission">The permission.</param>
    /// <returns><see langword="true"/> when the user is a member whose role grants the permission.</returns>
    /// <remarks>Owners hold every permission; Members every one but <see cref="RegistryPermission.ManageMembers"/>;
    /// ReadOnly members only <see cref="RegistryPermission.ReadEnvironment"/> and <see cref="RegistryPermission.ReadRegistries"/>.
    /// Whether the environment's orchestration supports registries is a separate question (see
    /// <see cref="RegistriesOptions.SupportedOrchestrations"/>).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The permission is unknown.</exception>
    public bool HasPermission(string user, RegistryPermission permission)
    {
        if (!Enum.IsDefined(permission))
        {
            throw new ArgumentOutOfRangeException(nameof(permission), permission, "Unknown permission: use ReadEnvironment, ReadRegistries, ManageRegistries, UseCredentials or ManageMembers.");
        }

        return RoleOf(user) is { } role && RegistryPermissions.Grants(role, permission);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Id}, {Orchestration})";
}
