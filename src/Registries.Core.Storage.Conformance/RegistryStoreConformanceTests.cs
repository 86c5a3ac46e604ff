using System.Collections.Concurrent;
using CsCheck;

namespace Registries.Core.Storage.Conformance;

/// <summary>The conformance suite of <see cref="IRegistryStore"/>: derive a test class from it, say how to create your
/// store, and every rule of the port (see its XML documentation) is checked against your store.</summary>
/// <remarks>
/// <para><b>How to use it.</b> In an xUnit test project, reference the <c>Registries.Core.Storage.Conformance</c>
/// package and derive one <c>public</c> class from this one. Override <see cref="CreateStoreAsync"/>; the test runner
/// then finds the suite's facts on your class and runs each one against your store. These are the tests the
/// library's own stores (the in-memory store and the file store) pass.</para>
/// <para><b>What to override.</b> <see cref="CreateStoreAsync"/> (required) returns a new, empty store each time it is
/// called: once or twice per test, and once per sample of the model run. <see cref="OpenSecondInstanceAsync"/>
/// (optional) returns another instance over the same data, as a second application instance would open it; override
/// it when your store keeps its data outside the object (a file, a database), so the suite also checks ids, order and
/// conflicts across instances. <see cref="ModelIterations"/> (optional) lowers the number of model runs for a slow
/// store.</para>
/// <para><b>Life cycle.</b> xUnit creates one instance of your class per test: make it <see cref="IDisposable"/> (or
/// implement xUnit's <c>IAsyncLifetime</c>) to remove what the stores of that test created, and use a class fixture for
/// what is costly to start once (a database server).</para>
/// <para><b>What it checks.</b> Ids that stay unique, versions that start at 1 and grow by one per write, stale
/// writes refused with <see cref="ConcurrencyConflictException"/> and nothing written, the store-assigned
/// <see cref="Registry.Sequence"/> that orders entries across instances, parts of an entry that never change
/// (<see cref="StoreRules.EnsureImmutablePartsUnchanged"/>), passwords kept and a removed entry's erased, every credential
/// source kept (its kind, name and a stored credential's expiry; an environment's policy rules and mirrors kept in order,
/// with every flag, rewrite and pattern, through every read, the resolution read included; a refresh token kept and erased like a password, never in
/// clear at rest when <see cref="ReadPersistedTextAsync"/> is overridden; no secret for a helper or plugin), concurrent
/// writers, and a random sequence of operations compared with a simple model (CsCheck). A failure names the rule in
/// the test's name (<c>Member_Scenario_Expected</c>).</para>
/// <para>For example, for a store over a database of your own:</para>
/// <code>
/// public sealed class MyRegistryStoreConformanceTests : RegistryStoreConformanceTests, IDisposable
/// {
///     private readonly List&lt;MyDatabase&gt; _databases = [];
///
///     protected override ValueTask&lt;IRegistryStore&gt; CreateStoreAsync()
///     {
///         var database = MyDatabase.CreateEmpty();
///         _databases.Add(database);
///         return ValueTask.FromResult&lt;IRegistryStore&gt;(new MyRegistryStore(database.ConnectionString));
///     }
///
///     // Another instance over the same data: nothing shared in memory.
///     protected override ValueTask&lt;IRegistryStore&gt; OpenSecondInstanceAsync(IRegistryStore first)
///         => ValueTask.FromResult&lt;IRegistryStore&gt;(new MyRegistryStore(((MyRegistryStore)first).ConnectionString));
///
///     public void Dispose() => _databases.ForEach(d => d.Drop());
/// }
/// </code>
/// </remarks>
public abstract class RegistryStoreConformanceTests
{
    private static readonly RegistryAddress Example = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly RegistryAddress Other = RegistryAddress.Parse("other.example.com");

    /// <summary>Creates a new, empty store.</summary>
    /// <remarks>Called once or twice in each test and once per sample of the model run: each call gives a store that
    /// shares no data with the stores returned before.</remarks>
    /// <returns>The store.</returns>
    protected abstract ValueTask<IRegistryStore> CreateStoreAsync();

    /// <summary>Opens a second application instance over the same backing data as <paramref name="first"/>.</summary>
    /// <param name="first">A store that <see cref="CreateStoreAsync"/> returned.</param>
    /// <returns>Another instance over the same data; a store that lives in one object returns <paramref name="first"/>.</returns>
    protected virtual ValueTask<IRegistryStore> OpenSecondInstanceAsync(IRegistryStore first) => ValueTask.FromResult(first);

    /// <summary>Gets the number of model-based runs (60 by default); a slow store may lower it.</summary>
    /// <remarks>Each run creates a store with <see cref="CreateStoreAsync"/> and applies up to 30 operations.</remarks>
    protected virtual int ModelIterations => 60;

    /// <summary>Reads what the store keeps at rest as text (a file's bytes, a dump of its rows), to check that no stored
    /// secret (a password or a refresh token) is kept there in clear.</summary>
    /// <param name="store">A store that <see cref="CreateStoreAsync"/> returned.</param>
    /// <returns>The text, or <see langword="null"/> (the default) when the store keeps nothing outside memory.</returns>
    protected virtual ValueTask<string?> ReadPersistedTextAsync(IRegistryStore store) => ValueTask.FromResult<string?>(null);

    [Fact]
    public async Task AddRegistryAsync_EachCredentialSource_RoundTripsInEveryReadAndInstance()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var expiry = new DateTimeOffset(2031, 4, 5, 6, 7, 8, TimeSpan.FromHours(2));
        var stored = await store.AddRegistryAsync(environment.Id, Example, new RegistryCredential("alice@example.com", "robot$ci", new RegistrySecret("robot-password"), expiry));
        var helper = await store.AddRegistryAsync(environment.Id, Example, RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login"));
        var plugin = await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("registry.example.com:5000", "team"), RegistryCredential.FromKubeletPlugin("ops@example.com", "acr-credential-provider"));
        var token = await store.AddRegistryAsync(environment.Id, Other, RegistryCredential.FromIdentityToken("bob@example.com", "bob", new RegistrySecret("refresh-token-canary")));

        Assert.Equal(CredentialSource.Stored, stored.Registry.Source);
        Assert.Equal(expiry, stored.Registry.ExpiresAt);
        Assert.Equal("robot-password", stored.Password?.Reveal());
        Assert.Equal(CredentialSource.CredentialHelper("ecr-login"), helper.Registry.Source);
        Assert.Null(helper.Registry.ExpiresAt);
        Assert.Null(helper.Password);
        Assert.Equal(string.Empty, helper.Registry.Username);
        Assert.Equal(CredentialSource.KubeletPlugin("acr-credential-provider"), plugin.Registry.Source);
        Assert.Null(plugin.Password);
        Assert.Equal(CredentialSource.IdentityToken, token.Registry.Source);
        Assert.Equal("bob", token.Registry.Username);
        Assert.Equal("refresh-token-canary", token.Password?.Reveal());

        foreach (var reader in new[] { store, await OpenSecondInstanceAsync(store) })
        {
            foreach (var added in new[] { stored, helper, plugin, token })
            {
                AssertSameRecord(added, await reader.GetRegistryAsync(environment.Id, added.Registry.Id));
            }

            var listed = await reader.ListRegistriesAsync(environment.Id);
            Assert.Equal(4, listed.Count);
            AssertSameRecord(stored, listed[0]);
            AssertSameRecord(helper, listed[1]);
            AssertSameRecord(plugin, listed[2]);
            AssertSameRecord(token, listed[3]);
            var byAddress = await reader.ListRegistriesByAddressAsync(environment.Id, Example);
            AssertSameRecord(helper, byAddress.Single(r => r.Registry.Id == helper.Registry.Id));
            AssertSameRecord(plugin, byAddress.Single(r => r.Registry.Id == plugin.Registry.Id));
            var resolution = await reader.ReadResolutionAsync(environment.Id, Other);
            AssertSameRecord(token, Assert.Single(resolution.Entries));
            AssertSameRecord(stored, (await reader.ListRegistriesCoveringAsync(environment.Id, Example)).Single(r => r.Registry.Id == stored.Registry.Id));
        }
    }

    [Fact]
    public async Task UpdateRegistryAsync_ChangedSource_StoresTheNewSourceSecretAndExpiry()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential("alice", "first"));

        var toHelper = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithCredential(RegistryCredential.FromCredentialHelper("ops@example.com", "pass")), null));
        var toToken = await store.UpdateRegistryAsync(new StoredRegistry(toHelper.Registry.WithCredential(RegistryCredential.FromIdentityToken("bob@example.com", "bob", new RegistrySecret("refresh-1"))), new RegistrySecret("refresh-1")));
        var expiry = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var toStored = await store.UpdateRegistryAsync(new StoredRegistry(toToken.Registry.WithCredential(new RegistryCredential("carol@example.com", "carol", new RegistrySecret("second"), expiry)), new RegistrySecret("second")));

        Assert.Equal(CredentialSource.CredentialHelper("pass"), toHelper.Registry.Source);
        Assert.Null(toHelper.Password);
        Assert.Equal(2, toHelper.Registry.Version);
        Assert.Equal(CredentialSource.IdentityToken, toToken.Registry.Source);
        Assert.Equal("refresh-1", toToken.Password?.Reveal());
        Assert.Equal(CredentialSource.Stored, toStored.Registry.Source);
        Assert.Equal(expiry, toStored.Registry.ExpiresAt);
        Assert.Equal(4, toStored.Registry.Version);
        var second = await OpenSecondInstanceAsync(store);
        AssertSameRecord(toStored, await second.GetRegistryAsync(environment.Id, added.Registry.Id));
        AssertSameRecord(toStored, Assert.Single(await second.ListRegistriesByAddressAsync(environment.Id, Example)));

        // Back to a helper: the stored password goes with the change.
        var back = await store.UpdateRegistryAsync(new StoredRegistry(toStored.Registry.WithCredential(RegistryCredential.FromKubeletPlugin("ops@example.com", "ecr-credential-provider")), null));
        var read = await second.GetRegistryAsync(environment.Id, added.Registry.Id);
        AssertSameRecord(back, read);
        Assert.Null(read!.Password);
        Assert.Null(read.Registry.ExpiresAt);
    }

    [Fact]
    public async Task UpdateRegistryAsync_RemovedIdentityToken_ErasesTheRefreshToken()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Other, RegistryCredential.FromIdentityToken("bob@example.com", "bob", new RegistrySecret("erase-this-refresh-token")));
        var helper = await store.AddRegistryAsync(environment.Id, Example, RegistryCredential.FromCredentialHelper("ops@example.com", "pass"));

        var removed = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Removed), null));
        var removedHelper = await store.UpdateRegistryAsync(new StoredRegistry(helper.Registry.WithState(RegistryState.Removed), null));

        Assert.Null(removed.Password);
        Assert.Equal(CredentialSource.IdentityToken, removed.Registry.Source);
        Assert.Equal(CredentialSource.CredentialHelper("pass"), removedHelper.Registry.Source);
        var second = await OpenSecondInstanceAsync(store);
        Assert.All(await second.ListRegistriesAsync(environment.Id), r => Assert.Null(r.Password));
        AssertSameRecord(removed, await second.GetRegistryAsync(environment.Id, added.Registry.Id));
        if (await ReadPersistedTextAsync(store) is { } persisted)
        {
            Assert.DoesNotContain("erase-this-refresh-token", persisted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AddRegistryAsync_RefreshTokenAndPassword_NeverKeptInClearAtRest()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        await store.AddRegistryAsync(environment.Id, Other, RegistryCredential.FromIdentityToken("bob@example.com", "bob", new RegistrySecret("canary-refresh-token-7f3a")));
        await store.AddRegistryAsync(environment.Id, Example, new RegistryCredential("alice@example.com", "alice", new RegistrySecret("canary-password-7f3a"), new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        if (await ReadPersistedTextAsync(store) is { } persisted)
        {
            Assert.DoesNotContain("canary-refresh-token-7f3a", persisted, StringComparison.Ordinal);
            Assert.DoesNotContain("canary-password-7f3a", persisted, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String("canary-refresh-token-7f3a"u8), persisted, StringComparison.Ordinal);
        }

        var read = await (await OpenSecondInstanceAsync(store)).ListRegistriesAsync(environment.Id);
        Assert.Equal("canary-refresh-token-7f3a", read[0].Password?.Reveal());
        Assert.Equal("canary-password-7f3a", read[1].Password?.Reveal());
    }

    [Fact]
    public async Task CreateEnvironmentAsync_NewEnvironment_HasIdVersionOneAndValues()
    {
        var store = await CreateStoreAsync();

        var created = await store.CreateEnvironmentAsync("Production", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner), ("bob", EnvironmentRole.ReadOnly)));

        Assert.False(string.IsNullOrWhiteSpace(created.Id));
        Assert.Equal(1, created.Version);
        Assert.Equal("Production", created.Name);
        Assert.Equal(OrchestrationKind.Cattle, created.Orchestration);
        Assert.Equal(EnvironmentRole.Owner, created.RoleOf("alice"));
        Assert.Equal(EnvironmentRole.ReadOnly, created.RoleOf("bob"));
        AssertSameEnvironment(created, await store.GetEnvironmentAsync(created.Id));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_ManyEnvironments_DistinctIds()
    {
        var store = await CreateStoreAsync();

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await store.CreateEnvironmentAsync("env" + i, OrchestrationKind.Kubernetes, Members())).Id);
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task GetEnvironmentAsync_UnknownId_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());

        Assert.Null(await store.GetEnvironmentAsync("no-such-environment"));
    }

    [Fact]
    public async Task ListEnvironmentsAsync_EmptyStore_ReturnsEmpty()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.ListEnvironmentsAsync());
    }

    [Fact]
    public async Task ListEnvironmentsAsync_SeveralEnvironments_InOrderOfCreation()
    {
        var store = await CreateStoreAsync();
        var names = new[] { "zeta", "alpha", "mu", "beta" };
        var created = new List<RegistryEnvironment>();
        foreach (var name in names)
        {
            created.Add(await store.CreateEnvironmentAsync(name, OrchestrationKind.Cattle, Members()));
        }

        // An update must not move an environment in the order.
        await store.UpdateEnvironmentAsync(created[0].WithMember("carol", EnvironmentRole.Member));

        var listed = await store.ListEnvironmentsAsync();
        Assert.Equal(created.Select(e => e.Id), listed.Select(e => e.Id));
        Assert.Equal(names, listed.Select(e => e.Name));
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_CurrentVersion_StoresChangeAndIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner)));

        var updated = await store.UpdateEnvironmentAsync(created.WithMember("bob", EnvironmentRole.Member));
        var again = await store.UpdateEnvironmentAsync(updated.WithMember("bob", EnvironmentRole.ReadOnly));

        Assert.Equal(2, updated.Version);
        Assert.Equal(3, again.Version);
        var read = await store.GetEnvironmentAsync(created.Id);
        Assert.NotNull(read);
        Assert.Equal(3, read.Version);
        Assert.Equal(EnvironmentRole.ReadOnly, read.RoleOf("bob"));
        Assert.Equal(EnvironmentRole.Owner, read.RoleOf("alice"));
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_StaleVersion_ThrowsConflictAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner)));
        var current = await store.UpdateEnvironmentAsync(created.WithMember("bob", EnvironmentRole.Member));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateEnvironmentAsync(created.WithMember("mallory", EnvironmentRole.Owner)));

        Assert.Equal(created.Id, conflict.Id);
        Assert.Equal(1, conflict.ExpectedVersion);
        Assert.Equal(2, conflict.ActualVersion);
        AssertSameEnvironment(current, await store.GetEnvironmentAsync(created.Id));
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_PolicyAndMirrors_KeptInOrderInEveryReadAndInstance()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner)));
        Assert.True(created.Policy.IsEmpty);
        Assert.True(created.Mirrors.IsEmpty);
        var policy = SamplePolicy();
        var mirrors = SampleMirrors();

        var updated = await store.UpdateEnvironmentAsync(created.WithPolicy(policy).WithMirrors(mirrors));

        Assert.Equal(2, updated.Version);
        AssertSamePolicyAndMirrors(policy, mirrors, updated);
        foreach (var reader in new[] { store, await OpenSecondInstanceAsync(store) })
        {
            AssertSamePolicyAndMirrors(policy, mirrors, await reader.GetEnvironmentAsync(created.Id));
            AssertSamePolicyAndMirrors(policy, mirrors, Assert.Single(await reader.ListEnvironmentsAsync()));
            AssertSamePolicyAndMirrors(policy, mirrors, (await reader.ReadResolutionAsync(created.Id, RegistryAddress.DockerHub)).Environment);
            AssertSamePolicyAndMirrors(policy, mirrors, (await reader.ReadResolutionAsync(created.Id, RegistryAddress.Parse("eu.corp.example"))).Environment);
        }

        // What the rules and mirrors decide survives the store too (the order and flags are what decide).
        var read = (await (await OpenSecondInstanceAsync(store)).GetEnvironmentAsync(created.Id))!;
        Assert.False(read.Policy.Evaluate(ImageReference.Parse("registry.example.com:5000/team/app:1.0")).IsAllowed);
        Assert.True(read.Policy.Evaluate(ImageReference.Parse("registry.example.com:5000/team/app@sha256:" + new string('a', 64))).IsAllowed);
        Assert.False(read.Policy.Evaluate(ImageReference.Parse("registry.example.com:5000/team-b/app:1.0")).IsAllowed);
        Assert.False(read.Policy.Evaluate(ImageReference.Parse("eu.corp.example/app:1")).IsAllowed);
        Assert.True(read.Policy.Evaluate(ImageReference.Parse("alpine:3.20")).IsAllowed);
        Assert.Equal(
            ["mirror.example.com:5000/dockerhub/library/alpine:3.20", "10.0.0.5:5000/library/alpine:3.20"],
            read.Mirrors.Plan(ImageReference.Parse("alpine:3.20")).Select(p => p.Image.ToString()));
        Assert.Equal(
            ["[fe80::1]:5000/team/app:1", "registry.example.com:5000/team/app:1"],
            read.Mirrors.Plan(ImageReference.Parse("registry.example.com:5000/team/app:1")).Select(p => p.Image.ToString()));
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_MembersChangedOrPolicyCleared_KeepsWhatWasNotChanged()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner)));
        var withPolicy = await store.UpdateEnvironmentAsync(created.WithPolicy(SamplePolicy()).WithMirrors(SampleMirrors()));

        var withMember = await store.UpdateEnvironmentAsync(withPolicy.WithMember("bob", EnvironmentRole.Member));
        AssertSamePolicyAndMirrors(SamplePolicy(), SampleMirrors(), await (await OpenSecondInstanceAsync(store)).GetEnvironmentAsync(created.Id));

        var fewer = SamplePolicy().WithoutRule(RegistryScope.ParseScope("*.corp.example"));
        var withFewer = await store.UpdateEnvironmentAsync(withMember.WithPolicy(fewer).WithMirrors(SampleMirrors().WithoutMirror(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com:5000"))));
        var fewerRead = await (await OpenSecondInstanceAsync(store)).GetEnvironmentAsync(created.Id);
        AssertSamePolicyAndMirrors(fewer, fewerRead!.Mirrors, fewerRead);
        Assert.Equal(["10.0.0.5:5000", "[fe80::1]:5000"], fewerRead.Mirrors.All.Select(m => m.Address.ToString()));

        await store.UpdateEnvironmentAsync(withFewer.WithPolicy(RegistryPolicy.Empty).WithMirrors(RegistryMirrors.Empty));
        var cleared = await (await OpenSecondInstanceAsync(store)).GetEnvironmentAsync(created.Id);
        Assert.NotNull(cleared);
        Assert.True(cleared.Policy.IsEmpty);
        Assert.True(cleared.Mirrors.IsEmpty);
        Assert.Equal(5, cleared.Version);
        Assert.Equal(EnvironmentRole.Member, cleared.RoleOf("bob"));
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_StalePolicyOrMirrorChange_ThrowsConflictAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var second = await OpenSecondInstanceAsync(store);
        var created = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner)));
        var current = await store.UpdateEnvironmentAsync(created.WithPolicy(SamplePolicy()));

        // Read before that write (version 1): a deny-all-but-one policy and a mirror written on top of it are refused.
        var stalePolicy = created.WithPolicy(RegistryPolicy.Empty.WithRule(PolicyRule.Allow(RegistryScope.ParseScope("evil.example"))));
        var staleMirror = created.WithMirrors(SampleMirrors());
        var conflicts = new[]
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await second.UpdateEnvironmentAsync(stalePolicy)),
            await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateEnvironmentAsync(staleMirror)),
        };

        Assert.All(conflicts, c => Assert.Equal(2, c.ActualVersion));
        foreach (var reader in new[] { store, second })
        {
            var read = await reader.GetEnvironmentAsync(created.Id);
            AssertSameEnvironment(current, read);
            AssertSamePolicyAndMirrors(SamplePolicy(), RegistryMirrors.Empty, read);
        }
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_UnknownEnvironment_ThrowsEnvironmentNotFound()
    {
        var store = await CreateStoreAsync();
        var ghost = new RegistryEnvironment("no-such-environment", "ghost", OrchestrationKind.Cattle, Members(), 1);

        var error = await Assert.ThrowsAsync<EnvironmentNotFoundException>(async () => await store.UpdateEnvironmentAsync(ghost));

        Assert.Equal("no-such-environment", error.EnvironmentId);
        Assert.Empty(await store.ListEnvironmentsAsync());
    }

    [Fact]
    public async Task AddRegistryAsync_NewEntry_IsActiveVersionOneWithItsCredential()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());

        var added = await store.AddRegistryAsync(environment.Id, Example, Credential("alice", "s3cret"));

        var registry = added.Registry;
        Assert.False(string.IsNullOrWhiteSpace(registry.Id));
        Assert.Equal(environment.Id, registry.EnvironmentId);
        Assert.Equal(Example, registry.Address);
        Assert.Equal(RegistryState.Active, registry.State);
        Assert.Equal("alice@example.com", registry.Email);
        Assert.Equal("alice", registry.Username);
        Assert.Equal(1, registry.Version);
        Assert.True(registry.Sequence >= 1);
        Assert.Equal("s3cret", added.Password?.Reveal());
        AssertSameRecord(added, await store.GetRegistryAsync(environment.Id, registry.Id));
    }

    [Fact]
    public async Task AddRegistryAsync_UnknownEnvironment_ThrowsEnvironmentNotFoundAndWritesNothing()
    {
        var store = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<EnvironmentNotFoundException>(async () => await store.AddRegistryAsync("no-such-environment", Example, Credential()));

        Assert.Equal("no-such-environment", error.EnvironmentId);
        Assert.Empty(await store.ListRegistriesAsync("no-such-environment"));
    }

    [Fact]
    public async Task AddRegistryAsync_ManyEntries_UniqueIdsAndStrictlyIncreasingSequences()
    {
        var store = await CreateStoreAsync();
        var first = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var second = await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members());
        var added = new List<StoredRegistry>();
        for (var i = 0; i < 12; i++)
        {
            added.Add(await store.AddRegistryAsync(i % 2 == 0 ? first.Id : second.Id, i % 3 == 0 ? Example : Other, Credential("user" + i)));

            // Updates and new environments in between must not disturb the order.
            if (i % 4 == 1)
            {
                await store.UpdateRegistryAsync(new StoredRegistry(added[^1].Registry.WithState(RegistryState.Inactive), added[^1].Password));
                await store.CreateEnvironmentAsync("c" + i, OrchestrationKind.Cattle, Members());
            }
        }

        Assert.All(added, r => Assert.False(string.IsNullOrWhiteSpace(r.Registry.Id)));
        Assert.Equal(added.Count, added.Select(r => r.Registry.Id).Distinct(StringComparer.Ordinal).Count());
        for (var i = 1; i < added.Count; i++)
        {
            Assert.True(added[i].Registry.Sequence > added[i - 1].Registry.Sequence, $"Entry {i} has sequence {added[i].Registry.Sequence}, not above {added[i - 1].Registry.Sequence}.");
        }
    }

    [Fact]
    public async Task AddRegistryAsync_TwoInstances_SequencesIncreaseAcrossInstancesAndIdsStayUnique()
    {
        var first = await CreateStoreAsync();
        var second = await OpenSecondInstanceAsync(first);
        var environment = await first.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = new List<StoredRegistry>();
        for (var i = 0; i < 10; i++)
        {
            var store = i % 2 == 0 ? first : second;
            added.Add(await store.AddRegistryAsync(environment.Id, Example, Credential("user" + i)));
        }

        Assert.Equal(added.Count, added.Select(r => r.Registry.Id).Distinct(StringComparer.Ordinal).Count());
        for (var i = 1; i < added.Count; i++)
        {
            Assert.True(added[i].Registry.Sequence > added[i - 1].Registry.Sequence);
        }

        // Each instance sees what the other wrote, newest last.
        foreach (var store in new[] { first, second })
        {
            var listed = await store.ListRegistriesByAddressAsync(environment.Id, Example);
            Assert.Equal(added.Select(r => r.Registry.Id), listed.Select(r => r.Registry.Id));
        }
    }

    [Fact]
    public async Task GetEnvironmentAsync_SecondInstance_SeesWritesOfTheFirst()
    {
        var first = await CreateStoreAsync();
        var second = await OpenSecondInstanceAsync(first);

        var created = await first.CreateEnvironmentAsync("a", OrchestrationKind.Swarm, Members(("alice", EnvironmentRole.Owner)));
        AssertSameEnvironment(created, await second.GetEnvironmentAsync(created.Id));
        var updated = await second.UpdateEnvironmentAsync(created.WithMember("bob", EnvironmentRole.Member));
        AssertSameEnvironment(updated, await first.GetEnvironmentAsync(created.Id));

        // The first instance's copy is now stale: its write is a conflict, not a lost update.
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await first.UpdateEnvironmentAsync(created.WithMember("carol", EnvironmentRole.Member)));
        AssertSameEnvironment(updated, await second.GetEnvironmentAsync(created.Id));
    }

    [Fact]
    public async Task GetRegistryAsync_UnknownIds_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var otherEnvironment = await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential());

        Assert.Null(await store.GetRegistryAsync(environment.Id, "no-such-registry"));
        Assert.Null(await store.GetRegistryAsync("no-such-environment", added.Registry.Id));

        // An entry is only found through its own environment.
        Assert.Null(await store.GetRegistryAsync(otherEnvironment.Id, added.Registry.Id));
    }

    [Fact]
    public async Task ListRegistriesAsync_SeveralEntries_OldestFirstAndOnlyThatEnvironment()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var otherEnvironment = await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members());
        var mine = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            mine.Add((await store.AddRegistryAsync(environment.Id, i % 2 == 0 ? Example : Other, Credential("u" + i))).Registry.Id);
            await store.AddRegistryAsync(otherEnvironment.Id, Example, Credential("x" + i));
        }

        // Updating the oldest entry must not move it to the end.
        var oldest = await store.GetRegistryAsync(environment.Id, mine[0]);
        Assert.NotNull(oldest);
        await store.UpdateRegistryAsync(new StoredRegistry(oldest.Registry.WithIdentity("new@example.com", "renamed"), new RegistrySecret("changed")));

        var listed = await store.ListRegistriesAsync(environment.Id);

        Assert.Equal(mine, listed.Select(r => r.Registry.Id));
        Assert.All(listed, r => Assert.Equal(environment.Id, r.Registry.EnvironmentId));
        Assert.Equal(listed.Select(r => r.Registry.Sequence).Order(), listed.Select(r => r.Registry.Sequence));
        Assert.Equal("renamed", listed[0].Registry.Username);
    }

    [Fact]
    public async Task ListRegistriesAsync_UnknownEnvironment_ReturnsEmpty()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());

        Assert.Empty(await store.ListRegistriesAsync("no-such-environment"));
        Assert.Empty(await store.ListRegistriesAsync(environment.Id));
    }

    [Fact]
    public async Task ListRegistriesByAddressAsync_HostCaseDiffers_FindsEntriesOldestFirst()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var lower = await store.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com:5000"), Credential("lower"));
        await store.AddRegistryAsync(environment.Id, Other, Credential("other"));
        var upper = await store.AddRegistryAsync(environment.Id, RegistryAddress.Parse("REGISTRY.Example.COM:5000"), Credential("upper"));
        await store.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com:5001"), Credential("port"));
        await store.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), Credential("noport"));

        var listed = await store.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.Parse("Registry.EXAMPLE.com:5000"));

        Assert.Equal([lower.Registry.Id, upper.Registry.Id], listed.Select(r => r.Registry.Id));
        Assert.Equal("upper", listed[^1].Registry.Username);
        Assert.All(listed, r => Assert.NotNull(r.Password));
    }

    [Fact]
    public async Task AddRegistryAsync_Scoped_KeepsPathAndPatternInEveryReadAndInstance()
    {
        var first = await CreateStoreAsync();
        var environment = await first.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var path = await first.AddRegistryAsync(environment.Id, RegistryScope.Parse("registry.example.com:5000", "team/sub"), Credential("path"));
        var pattern = await first.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.corp.example:5000"), Credential("pattern"));
        var both = await first.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.*.corp.example", "team"), Credential("both"));
        var second = await OpenSecondInstanceAsync(first);

        foreach (var store in new[] { first, second })
        {
            Assert.Equal(
                ["registry.example.com:5000/team/sub", "*.corp.example:5000", "*.*.corp.example/team"],
                (await store.ListRegistriesAsync(environment.Id)).Select(r => r.Registry.Scope.ToString()));
            var read = await store.GetRegistryAsync(environment.Id, path.Registry.Id);
            Assert.Equal(RegistryScope.Parse("registry.example.com:5000", "team/sub"), read?.Registry.Scope);
            Assert.True((await store.GetRegistryAsync(environment.Id, pattern.Registry.Id))?.Registry.Address.IsPattern);
            Assert.Equal("team", (await store.GetRegistryAsync(environment.Id, both.Registry.Id))?.Registry.Path);
        }

        Assert.Equal("team/sub", path.Registry.Path);
        Assert.True(pattern.Registry.Scope.IsHostLevel);
    }

    [Fact]
    public async Task ListRegistriesByAddressAsync_Scopes_EveryPathOfTheAddressAndPatternsAsWritten()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var host = await store.AddRegistryAsync(environment.Id, Example, Credential("host"));
        var team = await store.AddRegistryAsync(environment.Id, RegistryScope.Create(Example, "team"), Credential("team"));
        var pattern = await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.example.com:5000"), Credential("pattern"));
        var patternTeam = await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.example.com:5000", "team"), Credential("pattern-team"));

        Assert.Equal([host.Registry.Id, team.Registry.Id], (await store.ListRegistriesByAddressAsync(environment.Id, Example)).Select(r => r.Registry.Id));
        Assert.Equal([pattern.Registry.Id, patternTeam.Registry.Id], (await store.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.ParsePattern("*.EXAMPLE.com:5000"))).Select(r => r.Registry.Id));
        Assert.Empty(await store.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.ParsePattern("*.example.com")));
    }

    [Fact]
    public async Task ListRegistriesCoveringAsync_AddressAndTheHostPatternsThatCoverIt_OldestFirst()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var otherEnvironment = await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members());
        var address = RegistryAddress.Parse("a.eu.corp.example:5000");
        var wide = await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.*.corp.example:5000"), Credential("wide"));
        var own = await store.AddRegistryAsync(environment.Id, RegistryScope.Create(address, "team"), Credential("own"));
        await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.corp.example:5000"), Credential("one-label-short"));
        await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.eu.corp.example"), Credential("no-port"));
        await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("b.eu.corp.example:5000"), Credential("sibling"));
        await store.AddRegistryAsync(otherEnvironment.Id, RegistryScope.Parse("*.eu.corp.example:5000"), Credential("theirs"));
        var near = await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.eu.corp.example:5000", "team"), Credential("near"));

        var covering = await store.ListRegistriesCoveringAsync(environment.Id, RegistryAddress.Parse("A.eu.corp.example:5000"));

        Assert.Equal([wide.Registry.Id, own.Registry.Id, near.Registry.Id], covering.Select(r => r.Registry.Id));
        Assert.All(covering, r => Assert.NotNull(r.Password));
        Assert.Empty(await store.ListRegistriesCoveringAsync("no-such-environment", address));
    }

    [Fact]
    public async Task ReadResolutionAsync_EnvironmentAndCoveringEntriesTogether_UnknownEnvironmentIsEmpty()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var address = RegistryAddress.Parse("a.corp.example:5000");
        var own = await store.AddRegistryAsync(environment.Id, address, Credential("own"));
        var pattern = await store.AddRegistryAsync(environment.Id, RegistryScope.Parse("*.corp.example:5000"), Credential("pattern"));
        await store.AddRegistryAsync(environment.Id, Other, Credential("other"));

        var data = await store.ReadResolutionAsync(environment.Id, address);
        var none = await store.ReadResolutionAsync("no-such-environment", address);

        Assert.Equal(environment.Id, data.Environment?.Id);
        Assert.Equal(environment.Members.Count, data.Environment?.Members.Count);
        Assert.Equal([own.Registry.Id, pattern.Registry.Id], data.Entries.Select(r => r.Registry.Id));
        Assert.All(data.Entries, r => Assert.NotNull(r.Password));
        Assert.Null(none.Environment);
        Assert.Empty(none.Entries);
    }

    [Fact]
    public async Task UpdateRegistryAsync_ChangedPath_ThrowsArgumentAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Create(Example, "team"), Credential());
        var widened = new Registry(added.Registry.Id, environment.Id, RegistryScope.Of(Example), added.Registry.State, added.Registry.Email, added.Registry.Username, added.Registry.Sequence, added.Registry.Version);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(widened, added.Password)));

        var stored = await store.GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(("team", 1L), (stored?.Registry.Path, stored?.Registry.Version));
    }

    [Fact]
    public async Task ListRegistriesByAddressAsync_OtherEnvironmentsAndUnknowns_NotIncluded()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var otherEnvironment = await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members());
        var mine = await store.AddRegistryAsync(environment.Id, Example, Credential("mine"));
        await store.AddRegistryAsync(otherEnvironment.Id, Example, Credential("theirs"));

        Assert.Equal([mine.Registry.Id], (await store.ListRegistriesByAddressAsync(environment.Id, Example)).Select(r => r.Registry.Id));
        Assert.Empty(await store.ListRegistriesByAddressAsync(environment.Id, Other));
        Assert.Empty(await store.ListRegistriesByAddressAsync("no-such-environment", Example));
    }

    [Fact]
    public async Task ListRegistriesByAddressAsync_AfterUpdate_ReturnsTheUpdatedRecord()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential("alice", "first"));
        var before = await store.ListRegistriesByAddressAsync(environment.Id, Example);

        await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));

        var after = await store.ListRegistriesByAddressAsync(environment.Id, Example);
        Assert.Equal(RegistryState.Inactive, Assert.Single(after).Registry.State);
        Assert.Equal(2, after[0].Registry.Version);

        // A list handed out earlier is a snapshot: the store does not change it afterwards.
        Assert.Equal(RegistryState.Active, Assert.Single(before).Registry.State);
    }

    [Fact]
    public async Task UpdateRegistryAsync_CurrentVersion_StoresChangesAndIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential("alice", "first"));

        var edited = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithIdentity("bob@example.com", "bob"), new RegistrySecret("second")));
        var deactivated = await store.UpdateRegistryAsync(new StoredRegistry(edited.Registry.WithState(RegistryState.Inactive), edited.Password));

        Assert.Equal(2, edited.Registry.Version);
        Assert.Equal(3, deactivated.Registry.Version);
        var read = await store.GetRegistryAsync(environment.Id, added.Registry.Id);
        AssertSameRecord(deactivated, read);
        Assert.Equal("bob", read!.Registry.Username);
        Assert.Equal("bob@example.com", read.Registry.Email);
        Assert.Equal("second", read.Password?.Reveal());
        Assert.Equal(added.Registry.Sequence, read.Registry.Sequence);
        Assert.Equal(RegistryState.Inactive, read.Registry.State);
    }

    [Fact]
    public async Task UpdateRegistryAsync_StaleVersion_ThrowsConflictAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential("alice", "first"));
        var current = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithIdentity("mallory@example.com", "mallory"), new RegistrySecret("stolen"))));

        Assert.Equal(added.Registry.Id, conflict.Id);
        Assert.Equal(1, conflict.ExpectedVersion);
        Assert.Equal(2, conflict.ActualVersion);
        AssertSameRecord(current, await store.GetRegistryAsync(environment.Id, added.Registry.Id));
    }

    [Fact]
    public async Task UpdateRegistryAsync_ChangedAddress_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential());
        var r = added.Registry;
        var moved = new Registry(r.Id, r.EnvironmentId, Other, r.State, r.Email, r.Username, r.Sequence, r.Version);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(moved, added.Password)));

        AssertSameRecord(added, await store.GetRegistryAsync(environment.Id, r.Id));
        Assert.Empty(await store.ListRegistriesByAddressAsync(environment.Id, Other));
    }

    [Fact]
    public async Task UpdateRegistryAsync_ChangedSequence_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential());
        var r = added.Registry;
        var promoted = new Registry(r.Id, r.EnvironmentId, r.Address, r.State, r.Email, r.Username, r.Sequence + 1000, r.Version);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(promoted, added.Password)));

        AssertSameRecord(added, await store.GetRegistryAsync(environment.Id, r.Id));
    }

    [Fact]
    public async Task UpdateRegistryAsync_ChangedEnvironment_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var otherEnvironment = await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential());
        var r = added.Registry;
        var moved = new Registry(r.Id, otherEnvironment.Id, r.Address, r.State, r.Email, r.Username, r.Sequence, r.Version);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(moved, added.Password)));

        AssertSameRecord(added, await store.GetRegistryAsync(environment.Id, r.Id));
        Assert.Empty(await store.ListRegistriesAsync(otherEnvironment.Id));
    }

    [Fact]
    public async Task UpdateRegistryAsync_IdOfAnotherEntry_ThrowsArgumentExceptionAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var first = await store.AddRegistryAsync(environment.Id, Example, Credential("first"));
        var second = await store.AddRegistryAsync(environment.Id, Other, Credential("second"));
        var r = first.Registry;
        var renamed = new Registry(second.Registry.Id, r.EnvironmentId, r.Address, r.State, r.Email, r.Username, r.Sequence, r.Version);

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(renamed, first.Password)));

        AssertSameRecord(first, await store.GetRegistryAsync(environment.Id, first.Registry.Id));
        AssertSameRecord(second, await store.GetRegistryAsync(environment.Id, second.Registry.Id));
    }

    [Fact]
    public async Task UpdateRegistryAsync_Removed_KeepsNoPasswordAndStaysListed()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential("alice", "erase-me"));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));

        var removed = await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));

        Assert.Null(removed.Password);
        var read = await store.GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.NotNull(read);
        Assert.Equal(RegistryState.Removed, read.Registry.State);
        Assert.Null(read.Password);
        Assert.Null(Assert.Single(await store.ListRegistriesAsync(environment.Id)).Password);
        Assert.Null(Assert.Single(await store.ListRegistriesByAddressAsync(environment.Id, Example)).Password);
    }

    [Fact]
    public async Task UpdateRegistryAsync_UnknownEntry_ThrowsRegistryNotFound()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var ghost = new Registry("no-such-registry", environment.Id, Example, RegistryState.Active, "a@example.com", "a", 1, 1);
        var ghostEnvironment = new Registry("no-such-registry", "no-such-environment", Example, RegistryState.Active, "a@example.com", "a", 1, 1);

        var error = await Assert.ThrowsAsync<RegistryNotFoundException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(ghost, new RegistrySecret("x"))));
        await Assert.ThrowsAsync<RegistryNotFoundException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(ghostEnvironment, new RegistrySecret("x"))));

        Assert.Equal("no-such-registry", error.RegistryId);
        Assert.Equal(environment.Id, error.EnvironmentId);
        Assert.Empty(await store.ListRegistriesAsync(environment.Id));
    }

    [Theory]
    [InlineData("p@ss:w/o+r=d")]
    [InlineData("quote\"single'back\\slash")]
    [InlineData("Grüße, Ωμέγα, 日本語, emoji \U0001F511")]
    [InlineData(" leading and trailing blanks ")]
    [InlineData("{\"json\":\"inside\"}\n\ttabs and newlines\r\n")]
    [InlineData("a")]
    public async Task AddRegistryAsync_AnyPassword_SurvivesRoundTripIntact(string password)
    {
        var first = await CreateStoreAsync();
        var environment = await first.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await first.AddRegistryAsync(environment.Id, Example, Credential("alice", password));
        var second = await OpenSecondInstanceAsync(first);

        Assert.Equal(password, (await second.GetRegistryAsync(environment.Id, added.Registry.Id))?.Password?.Reveal());
        Assert.Equal(password, Assert.Single(await second.ListRegistriesAsync(environment.Id)).Password?.Reveal());
        Assert.Equal(password, Assert.Single(await second.ListRegistriesByAddressAsync(environment.Id, Example)).Password?.Reveal());

        var edited = await second.UpdateRegistryAsync(new StoredRegistry(added.Registry, new RegistrySecret(password + "\u00e9")));
        Assert.Equal(password + "\u00e9", (await first.GetRegistryAsync(environment.Id, added.Registry.Id))?.Password?.Reveal());
        Assert.Equal(2, edited.Registry.Version);
    }

    [Fact]
    public async Task AllOperations_CancelledToken_ThrowOperationCanceled()
    {
        var store = await CreateStoreAsync();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, Example, Credential());
        using var source = new CancellationTokenSource();
        await source.CancelAsync();
        var token = source.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.CreateEnvironmentAsync("b", OrchestrationKind.Cattle, Members(), token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetEnvironmentAsync(environment.Id, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ListEnvironmentsAsync(token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.UpdateEnvironmentAsync(environment.WithMember("bob", EnvironmentRole.Member), token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.AddRegistryAsync(environment.Id, Other, Credential(), token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetRegistryAsync(environment.Id, added.Registry.Id, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ListRegistriesAsync(environment.Id, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ListRegistriesByAddressAsync(environment.Id, Example, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password), token));

        // A cancelled write wrote nothing.
        Assert.Single(await store.ListEnvironmentsAsync());
        AssertSameEnvironment(environment, await store.GetEnvironmentAsync(environment.Id));
        AssertSameRecord(added, Assert.Single(await store.ListRegistriesAsync(environment.Id)));
    }

    [Fact]
    public async Task AddRegistryAsync_ParallelFromManyTasks_DistinctIdsAndSequences()
    {
        var first = await CreateStoreAsync();
        var second = await OpenSecondInstanceAsync(first);
        var environment = await first.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        const int Tasks = 8;
        const int PerTask = 10;
        var added = new ConcurrentBag<(int Task, int Index, StoredRegistry Record)>();

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var store = t % 2 == 0 ? first : second;
            for (var i = 0; i < PerTask; i++)
            {
                added.Add((t, i, await store.AddRegistryAsync(environment.Id, Example, Credential($"t{t}i{i}", $"pw-{t}-{i}"))));
            }
        })));

        var records = added.ToList();
        Assert.Equal(Tasks * PerTask, records.Count);
        Assert.Equal(records.Count, records.Select(r => r.Record.Registry.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(records.Count, records.Select(r => r.Record.Registry.Sequence).Distinct().Count());

        // Within one task, later adds get higher sequences.
        foreach (var perTask in records.GroupBy(r => r.Task))
        {
            var ordered = perTask.OrderBy(r => r.Index).Select(r => r.Record.Registry.Sequence).ToList();
            Assert.Equal(ordered.Order(), ordered);
        }

        var listed = await second.ListRegistriesByAddressAsync(environment.Id, Example);
        Assert.Equal(records.OrderBy(r => r.Record.Registry.Sequence).Select(r => r.Record.Registry.Id), listed.Select(r => r.Registry.Id));
        Assert.All(listed, r => Assert.Equal("pw-" + r.Registry.Username[1..].Replace("i", "-", StringComparison.Ordinal), r.Password?.Reveal()));
    }

    [Fact]
    public async Task UpdateRegistryAsync_ParallelWithSameReadVersion_ExactlyOneSucceeds()
    {
        var first = await CreateStoreAsync();
        var second = await OpenSecondInstanceAsync(first);
        var environment = await first.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await first.AddRegistryAsync(environment.Id, Example, Credential("original"));
        const int Writers = 8;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first : second;
            await start.Task;
            try
            {
                var stored = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithIdentity($"w{w}@example.com", "writer" + w), new RegistrySecret("pw" + w)));
                return (Writer: w, Stored: stored, Conflict: (ConcurrencyConflictException?)null);
            }
            catch (ConcurrencyConflictException conflict)
            {
                return (Writer: w, Stored: (StoredRegistry?)null, Conflict: conflict);
            }
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(writers);

        var winner = Assert.Single(outcomes, o => o.Stored is not null);
        Assert.All(outcomes.Where(o => o.Stored is null), o => Assert.Equal(1, o.Conflict!.ExpectedVersion));
        var read = await first.GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.NotNull(read);
        Assert.Equal(2, read.Registry.Version);
        Assert.Equal("writer" + winner.Writer, read.Registry.Username);
        Assert.Equal("pw" + winner.Writer, read.Password?.Reveal());
    }

    [Fact]
    public async Task UpdateEnvironmentAsync_ParallelWithSameReadVersion_ExactlyOneSucceeds()
    {
        var first = await CreateStoreAsync();
        var second = await OpenSecondInstanceAsync(first);
        var environment = await first.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members(("alice", EnvironmentRole.Owner)));
        const int Writers = 8;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first : second;
            await start.Task;
            try
            {
                await store.UpdateEnvironmentAsync(environment.WithMember("user" + w, EnvironmentRole.Member));
                return (Writer: w, Won: true);
            }
            catch (ConcurrencyConflictException)
            {
                return (Writer: w, Won: false);
            }
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(writers);

        var winner = Assert.Single(outcomes, o => o.Won);
        var read = await second.GetEnvironmentAsync(environment.Id);
        Assert.NotNull(read);
        Assert.Equal(2, read.Version);
        Assert.Equal(["alice", "user" + winner.Writer], read.Members.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AllOperations_RandomSequence_MatchesSimpleModel()
    {
        var gen = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 50], Gen.Int[0, 50], Gen.Int[0, 50], (kind, a, b, c) => new ModelOperation(kind, a, b, c)).Array[1, 30];

        await gen.SampleAsync(
            async operations =>
            {
                var first = await CreateStoreAsync();
                var second = await OpenSecondInstanceAsync(first);
                var model = new StoreModel();
                model.Environments.Add(new ModelEnvironment((await first.CreateEnvironmentAsync("env0", OrchestrationKind.Cattle, Members())).Id, "env0"));
                for (var i = 0; i < operations.Length; i++)
                {
                    await ApplyAsync(i % 3 == 2 ? second : first, model, operations[i]);
                }

                await AssertMatchesAsync(first, model);
                await AssertMatchesAsync(second, model);
            },
            iter: ModelIterations,
            threads: 1);
    }

    /// <summary>Builds a member dictionary.</summary>
    /// <param name="members">The members and their roles.</param>
    /// <returns>The dictionary.</returns>
    protected static IReadOnlyDictionary<string, EnvironmentRole> Members(params (string User, EnvironmentRole Role)[] members)
        => members.ToDictionary(m => m.User, m => m.Role, StringComparer.Ordinal);

    /// <summary>Builds a credential.</summary>
    /// <param name="username">The username; the e-mail address is derived from it.</param>
    /// <param name="password">The password.</param>
    /// <returns>The credential.</returns>
    protected static RegistryCredential Credential(string username = "alice", string password = "s3cret")
        => new(username + "@example.com", username, password);

    // Rules in the order they were set: a deny pattern, a digest-only path, Docker Hub's official images, an IPv6 registry.
    private static RegistryPolicy SamplePolicy() => RegistryPolicy.Empty
        .WithRule(PolicyRule.Deny(RegistryScope.ParseScope("*.corp.example")))
        .WithRule(PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com:5000/team"), digestOnly: true))
        .WithRule(PolicyRule.Allow(RegistryScope.ParseScope("docker.io/library")))
        .WithRule(PolicyRule.Allow(RegistryScope.ParseScope("[fe80::1]:5000")));

    // Docker Hub's mirrors in order (a rewrite, then a mirror-only one), and a registry's mirror on an IPv6 address.
    private static RegistryMirrors SampleMirrors() => RegistryMirrors.Empty
        .WithMirror(RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com:5000"), MirrorRewrite.Parse("^library/(.*)", "dockerhub/library/${1}")))
        .WithMirror(RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("10.0.0.5:5000"), mirrorOnly: true))
        .WithMirror(RegistryMirror.Create(RegistryAddress.Parse("registry.example.com:5000"), RegistryAddress.Parse("[fe80::1]:5000")));

    private static void AssertSamePolicyAndMirrors(RegistryPolicy policy, RegistryMirrors mirrors, RegistryEnvironment? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(policy.Rules.Select(r => r.ToString()), actual.Policy.Rules.Select(r => r.ToString()));
        Assert.Equal(policy, actual.Policy);
        Assert.Equal(mirrors.All.Select(m => m.ToString()), actual.Mirrors.All.Select(m => m.ToString()));
        Assert.Equal(mirrors, actual.Mirrors);
    }

    private static void AssertSameEnvironment(RegistryEnvironment expected, RegistryEnvironment? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Orchestration, actual.Orchestration);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Members.OrderBy(m => m.Key, StringComparer.Ordinal), actual.Members.OrderBy(m => m.Key, StringComparer.Ordinal));
    }

    private static void AssertSameRecord(StoredRegistry expected, StoredRegistry? actual)
    {
        Assert.NotNull(actual);
        var e = expected.Registry;
        var a = actual.Registry;
        Assert.Equal(e.Id, a.Id);
        Assert.Equal(e.EnvironmentId, a.EnvironmentId);
        Assert.Equal(e.Address, a.Address);
        Assert.Equal(e.Address.ToString(), a.Address.ToString());
        Assert.Equal(e.State, a.State);
        Assert.Equal(e.Email, a.Email);
        Assert.Equal(e.Username, a.Username);
        Assert.Equal(e.Sequence, a.Sequence);
        Assert.Equal(e.Version, a.Version);
        Assert.Equal(e.Source, a.Source);
        Assert.Equal(e.ExpiresAt, a.ExpiresAt);
        Assert.Equal(expected.Password?.Reveal(), actual.Password?.Reveal());
    }

    private static async Task ApplyAsync(IRegistryStore store, StoreModel model, ModelOperation operation)
    {
        var registry = model.Registries.Count == 0 ? null : model.Registries[operation.A % model.Registries.Count];
        switch (operation.Kind)
        {
            case 0:
                {
                    var name = "env" + model.Environments.Count;
                    var created = await store.CreateEnvironmentAsync(name, (OrchestrationKind)(operation.B % 4), Members());
                    Assert.DoesNotContain(model.Environments, e => e.Id == created.Id);
                    model.Environments.Add(new ModelEnvironment(created.Id, name) { Orchestration = (OrchestrationKind)(operation.B % 4) });
                    break;
                }

            case 1:
            case 2:
                {
                    var environment = model.Environments[operation.A % model.Environments.Count];
                    var address = ModelAddresses[operation.B % ModelAddresses.Length];
                    var credential = Credential("u" + operation.C, "pw" + operation.C + "\u00e9\"");
                    var added = await store.AddRegistryAsync(environment.Id, RegistryAddress.Parse(address), credential);
                    Assert.DoesNotContain(model.Registries, r => r.Id == added.Registry.Id);
                    Assert.True(added.Registry.Sequence > model.LastSequence);
                    model.LastSequence = added.Registry.Sequence;
                    model.Registries.Add(new ModelRegistry(added.Registry.Id, environment.Id, RegistryAddress.Parse(address), added.Registry.Sequence)
                    {
                        Username = credential.Username,
                        Email = credential.Email,
                        Password = credential.Password!.Reveal(),
                    });
                    break;
                }

            case 3 when registry is not null && registry.State != RegistryState.Removed:
                {
                    // Deactivate or activate.
                    var state = registry.State == RegistryState.Active ? RegistryState.Inactive : RegistryState.Active;
                    await store.UpdateRegistryAsync(new StoredRegistry(registry.ToRegistry().WithState(state), new RegistrySecret(registry.Password!)));
                    registry.State = state;
                    registry.Version++;
                    break;
                }

            case 4 when registry is not null && registry.State == RegistryState.Inactive:
                await store.UpdateRegistryAsync(new StoredRegistry(registry.ToRegistry().WithState(RegistryState.Removed), null));
                registry.State = RegistryState.Removed;
                registry.Password = null;
                registry.Version++;
                break;

            case 5 when registry is not null && registry.State != RegistryState.Removed:
                {
                    var username = "edited" + operation.B;
                    var password = "new'pw" + operation.C;
                    await store.UpdateRegistryAsync(new StoredRegistry(registry.ToRegistry().WithIdentity(username + "@example.org", username), new RegistrySecret(password)));
                    registry.Username = username;
                    registry.Email = username + "@example.org";
                    registry.Password = password;
                    registry.Version++;
                    break;
                }

            case 6 when registry is not null && registry.Version > 1:
                {
                    var stale = StoreRules.WithVersion(registry.ToRegistry(), registry.Version - 1 - (operation.B % (registry.Version - 1)));
                    var password = registry.Password is null ? null : new RegistrySecret("stale");
                    await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateRegistryAsync(new StoredRegistry(stale, password)));
                    break;
                }

            case 7:
                {
                    var environment = model.Environments[operation.A % model.Environments.Count];
                    var current = environment.ToEnvironment();
                    var user = "user" + operation.B;
                    var role = (EnvironmentRole)(operation.C % 3);
                    var updated = await store.UpdateEnvironmentAsync(current.WithMember(user, role));
                    environment.Members[user] = role;
                    environment.Version++;
                    Assert.Equal(environment.Version, updated.Version);
                    break;
                }

            case 8 when model.Environments.Any(e => e.Version > 1):
                {
                    var environment = model.Environments.First(e => e.Version > 1);
                    var stale = StoreRules.WithVersion(environment.ToEnvironment(), environment.Version - 1);
                    await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateEnvironmentAsync(stale.WithMember("stale", EnvironmentRole.Owner)));
                    await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await store.UpdateEnvironmentAsync(stale.WithPolicy(RegistryPolicy.Empty.WithRule(PolicyRule.Deny(RegistryScope.ParseScope("stale.example"))))));
                    break;
                }

            case 9:
                {
                    // A policy rule set or removed, or a mirror added or removed, by an environment update.
                    var environment = model.Environments[operation.A % model.Environments.Count];
                    var scope = RegistryScope.ParseScope(ModelScopes[operation.B % ModelScopes.Length]);
                    var mirror = RegistryMirror.Create(RegistryAddress.Parse(ModelAddresses[operation.B % ModelAddresses.Length]), RegistryAddress.Parse("mirror" + (operation.C % 3) + ".example.com"), operation.C % 2 == 0 ? null : MirrorRewrite.Parse("^(.*)$", "cache/${1}"), mirrorOnly: operation.C % 5 == 0);
                    var current = environment.ToEnvironment();
                    var changed = (operation.C % 4) switch
                    {
                        0 => current.WithPolicy(current.Policy.WithRule(PolicyRule.Deny(scope))),
                        1 => current.WithPolicy(current.Policy.WithRule(PolicyRule.Allow(scope, digestOnly: operation.B % 2 == 0))),
                        2 => current.WithPolicy(current.Policy.WithoutRule(scope)).WithMirrors(current.Mirrors.WithoutMirror(mirror.Upstream, mirror.Address)),
                        _ => current.WithMirrors(current.Mirrors.WithMirror(mirror)),
                    };
                    var updated = await store.UpdateEnvironmentAsync(changed);
                    environment.Policy = changed.Policy;
                    environment.Mirrors = changed.Mirrors;
                    environment.Version++;
                    Assert.Equal(environment.Version, updated.Version);
                    break;
                }

            default:
                // The operation does not apply to the model's current state (for example no entry yet): a read instead.
                Assert.Equal(model.Environments.Count, (await store.ListEnvironmentsAsync()).Count);
                break;
        }
    }

    private static readonly string[] ModelAddresses = ["registry.example.com:5000", "REGISTRY.example.com:5000", "docker.io", "quay.io", "10.0.0.5:5000"];

    private static readonly string[] ModelScopes = ["registry.example.com:5000", "registry.example.com:5000/team", "*.corp.example", "docker.io/library", "quay.io/org/sub", "10.0.0.5:5000"];

    private static async Task AssertMatchesAsync(IRegistryStore store, StoreModel model)
    {
        var environments = await store.ListEnvironmentsAsync();
        Assert.Equal(model.Environments.Select(e => e.Id), environments.Select(e => e.Id));
        foreach (var (expected, actual) in model.Environments.Zip(environments))
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.Orchestration, actual.Orchestration);
            Assert.Equal(expected.Version, actual.Version);
            Assert.Equal(expected.Members.OrderBy(m => m.Key, StringComparer.Ordinal), actual.Members.OrderBy(m => m.Key, StringComparer.Ordinal));
            AssertSamePolicyAndMirrors(expected.Policy, expected.Mirrors, actual);

            var records = await store.ListRegistriesAsync(expected.Id);
            var modelRecords = model.Registries.Where(r => r.EnvironmentId == expected.Id).ToList();
            Assert.Equal(modelRecords.Select(r => r.Id), records.Select(r => r.Registry.Id));
            foreach (var (m, r) in modelRecords.Zip(records))
            {
                Assert.Equal(m.Address, r.Registry.Address);
                Assert.Equal(m.State, r.Registry.State);
                Assert.Equal(m.Username, r.Registry.Username);
                Assert.Equal(m.Email, r.Registry.Email);
                Assert.Equal(m.Version, r.Registry.Version);
                Assert.Equal(m.Sequence, r.Registry.Sequence);
                Assert.Equal(m.Password, r.Password?.Reveal());
            }

            foreach (var address in ModelAddresses.Select(RegistryAddress.Parse).Distinct())
            {
                var byAddress = await store.ListRegistriesByAddressAsync(expected.Id, address);
                Assert.Equal(modelRecords.Where(r => r.Address.Equals(address)).Select(r => r.Id), byAddress.Select(r => r.Registry.Id));
            }
        }
    }

    private readonly record struct ModelOperation(int Kind, int A, int B, int C)
    {
        public override string ToString() => $"({Kind},{A},{B},{C})";
    }

    private sealed class StoreModel
    {
        public List<ModelEnvironment> Environments { get; } = [];

        public List<ModelRegistry> Registries { get; } = [];

        public long LastSequence { get; set; }
    }

    private sealed class ModelEnvironment(string id, string name)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public OrchestrationKind Orchestration { get; init; } = OrchestrationKind.Cattle;

        public Dictionary<string, EnvironmentRole> Members { get; } = new(StringComparer.Ordinal);

        public long Version { get; set; } = 1;

        public RegistryPolicy Policy { get; set; } = RegistryPolicy.Empty;

        public RegistryMirrors Mirrors { get; set; } = RegistryMirrors.Empty;

        public RegistryEnvironment ToEnvironment() => new(Id, Name, Orchestration, Members, Version, Policy, Mirrors);
    }

    private sealed class ModelRegistry(string id, string environmentId, RegistryAddress address, long sequence)
    {
        public string Id { get; } = id;

        public string EnvironmentId { get; } = environmentId;

        public RegistryAddress Address { get; } = address;

        public long Sequence { get; } = sequence;

        public RegistryState State { get; set; } = RegistryState.Active;

        public required string Username { get; set; }

        public required string Email { get; set; }

        public string? Password { get; set; }

        public long Version { get; set; } = 1;

        public Registry ToRegistry() => new(Id, EnvironmentId, Address, State, Email, Username, Sequence, Version);
    }
}
