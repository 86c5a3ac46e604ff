namespace Registries.Core.Testing;

/// <summary>Says what <see cref="RegistriesSeed"/> creates: environments, their members and registry credentials, named so that a test can find their ids.</summary>
/// <remarks>Each method checks its arguments at once (an unknown environment name fails here, not later) and returns the
/// builder, for chaining. Not thread-safe: it is meant to be filled by one lambda.</remarks>
public sealed class RegistriesSeedBuilder
{
    private readonly HashSet<string> _environments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _registryNames = new(StringComparer.Ordinal);

    internal RegistriesSeedBuilder()
    {
    }

    internal List<object> Steps { get; } = [];

    /// <summary>Creates an environment; <paramref name="owner"/> creates it and is its Owner.</summary>
    /// <param name="name">The environment's name, unique in the seed; <see cref="SeededRegistries.EnvironmentId"/> finds its id by it.</param>
    /// <param name="owner">The user who creates it (and seeds its members and registries).</param>
    /// <param name="orchestration">The orchestration kind; registries are supported for Cattle by default.</param>
    /// <param name="members">Other members and their roles, or <see langword="null"/>; <see cref="Member"/> adds them one at a time.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A name is empty, or an environment of that name is already seeded.</exception>
    public RegistriesSeedBuilder Environment(string name, string owner, OrchestrationKind orchestration = OrchestrationKind.Cattle, IReadOnlyDictionary<string, EnvironmentRole>? members = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (!_environments.Add(name))
        {
            throw new ArgumentException($"The environment '{name}' is already seeded: give each environment its own name.", nameof(name));
        }

        Steps.Add(new EnvironmentStep(name, owner, orchestration));
        foreach (var (user, role) in members ?? new Dictionary<string, EnvironmentRole>())
        {
            Member(name, user, role);
        }

        return this;
    }

    /// <summary>Adds a member to a seeded environment, or changes the role of one.</summary>
    /// <param name="environment">The name of an environment seeded before.</param>
    /// <param name="user">The user.</param>
    /// <param name="role">The role.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The environment was not seeded before, or the user name is empty.</exception>
    public RegistriesSeedBuilder Member(string environment, string user, EnvironmentRole role = EnvironmentRole.Member)
    {
        RequireEnvironment(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        Steps.Add(new MemberStep(environment, user, role));
        return this;
    }

    /// <summary>Adds a registry credential to a seeded environment; it becomes the effective one for its address.</summary>
    /// <param name="environment">The name of an environment seeded before.</param>
    /// <param name="address">The registry address, for example <c>registry.example.com:5000</c>, <c>docker.io</c> or <c>quay.io</c>.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <param name="state">The state it is left in: Active (the default), Inactive (pulls from the address are denied) or Removed.</param>
    /// <param name="email">The e-mail address of the credential; <c>USERNAME@example.com</c> when <see langword="null"/>.</param>
    /// <param name="name">A name to find its id by (<see cref="SeededRegistries.RegistryId(string)"/>), or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The environment was not seeded before, the username or password is empty, the state is unknown, or the name is already used.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryAddressFormatException"><paramref name="address"/> is not a valid registry address; the message shows the corrected form.</exception>
    public RegistriesSeedBuilder Registry(string environment, string address, string username, string password, RegistryState state = RegistryState.Active, string? email = null, string? name = null)
        => Registry(environment, RegistryAddress.Parse(address ?? throw new ArgumentNullException(nameof(address))), username, password, state, email, name);

    /// <summary>Adds a registry credential to a seeded environment; it becomes the effective one for its address.</summary>
    /// <param name="environment">The name of an environment seeded before.</param>
    /// <param name="address">The registry address (<see cref="RegistryAddress.DockerHub"/>, <see cref="RegistryAddress.Quay"/> or a custom one).</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <param name="state">The state it is left in: Active (the default), Inactive (pulls from the address are denied) or Removed.</param>
    /// <param name="email">The e-mail address of the credential; <c>USERNAME@example.com</c> when <see langword="null"/>.</param>
    /// <param name="name">A name to find its id by (<see cref="SeededRegistries.RegistryId(string)"/>), or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The environment was not seeded before, the username or password is empty, the state is unknown, or the name is already used.</exception>
    public RegistriesSeedBuilder Registry(string environment, RegistryAddress address, string username, string password, RegistryState state = RegistryState.Active, string? email = null, string? name = null)
        => Registry(environment, RegistryScope.Of(address ?? throw new ArgumentNullException(nameof(address))), username, password, state, email, name);

    /// <summary>Adds a registry credential for a scope (a path prefix, a host pattern) to a seeded environment; it becomes
    /// the effective one for its scope.</summary>
    /// <param name="environment">The name of an environment seeded before.</param>
    /// <param name="scope">The scope, for example <c>RegistryScope.Parse("registry.example.com", "team")</c> or <c>RegistryScope.Parse("*.corp.example")</c>.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <param name="state">The state it is left in: Active (the default), Inactive (pulls it decides are denied) or Removed.</param>
    /// <param name="email">The e-mail address of the credential; <c>USERNAME@example.com</c> when <see langword="null"/>.</param>
    /// <param name="name">A name to find its id by (<see cref="SeededRegistries.RegistryId(string)"/>), or <see langword="null"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The environment was not seeded before, the username or password is empty, the state is unknown, or the name is already used.</exception>
    public RegistriesSeedBuilder Registry(string environment, RegistryScope scope, string username, string password, RegistryState state = RegistryState.Active, string? email = null, string? name = null)
    {
        RequireEnvironment(environment);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown registry state: use Active, Inactive or Removed.");
        }

        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            if (!_registryNames.Add(name))
            {
                throw new ArgumentException($"The registry name '{name}' is already used in the seed: give each named registry its own name.", nameof(name));
            }
        }

        Steps.Add(new RegistryStep(environment, scope, new RegistryCredential(email ?? username + "@example.com", username, password), state, name));
        return this;
    }

    /// <summary>Describes the seed (how many steps) without any credential.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"RegistriesSeedBuilder: {_environments.Count} environment(s), {Steps.Count} step(s)";

    private void RequireEnvironment(string environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        if (!_environments.Contains(environment))
        {
            var known = _environments.Count == 0 ? "none yet" : string.Join(", ", _environments.Select(e => $"'{e}'"));
            throw new ArgumentException($"No environment '{environment}' is seeded before this step (seeded: {known}): call Environment(\"{environment}\", owner: ...) first.", nameof(environment));
        }
    }

    internal sealed class EnvironmentStep(string name, string owner, OrchestrationKind orchestration)
    {
        public string Name { get; } = name;

        public string Owner { get; } = owner;

        public OrchestrationKind Orchestration { get; } = orchestration;
    }

    internal sealed class MemberStep(string environment, string user, EnvironmentRole role)
    {
        public string Environment { get; } = environment;

        public string User { get; } = user;

        public EnvironmentRole Role { get; } = role;
    }

    // A class, not a record: it holds a credential, and a generated ToString would print it.
    internal sealed class RegistryStep(string environment, RegistryScope scope, RegistryCredential credential, RegistryState state, string? name)
    {
        public string Environment { get; } = environment;

        public RegistryScope Scope { get; } = scope;

        public RegistryCredential Credential { get; } = credential;

        public RegistryState State { get; } = state;

        public string? Name { get; } = name;
    }
}
