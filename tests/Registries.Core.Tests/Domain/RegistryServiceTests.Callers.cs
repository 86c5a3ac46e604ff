using Registries.Core.Events;
using Registries.Core.Storage;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

// The caller: asked of the application's accessor once per operation, or bound with As; without one nothing is touched.
public sealed partial class RegistryServiceTests
{
    public static TheoryData<string> Operations() =>
    [
        "createEnvironment", "listEnvironments", "getEnvironment", "getEnvironmentByIdOrName", "setMember",
        "add", "list", "get", "getEffective", "edit", "deactivate", "activate", "delete",
        "resolveImage", "resolveAddress", "hasPermission", "ensurePermission",
    ];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_WithAnAccessor_AsksItExactlyOnceAndActsAsItsCaller(string operation)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var accessor = new CountingAccessor { Current = new RegistryCaller(Owner) };
        var service = new RegistryService(seeded.Store, callers: accessor);

        await Run(service, operation, seeded);

        Assert.Equal(1, accessor.Reads);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_NoCallerAtAll_ThrowsMissingCallerAndTouchesNothing(string operation)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var service = new RegistryService(seeded.Store);

        var error = await Assert.ThrowsAsync<MissingCallerException>(() => Run(service, operation, seeded));

        Assert.Equal(0, seeded.Store.Total);
        Assert.Contains("RegistryService.As(user)", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<RegistriesException>(error);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_AccessorKnowsNoCaller_ThrowsMissingCallerAndTouchesNothing(string operation)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var accessor = new CountingAccessor { Current = null };
        var service = new RegistryService(seeded.Store, callers: accessor);

        await Assert.ThrowsAsync<MissingCallerException>(() => Run(service, operation, seeded));

        Assert.Equal(0, seeded.Store.Total);
        Assert.Equal(1, accessor.Reads);
    }

    [Fact]
    public async Task Operation_AccessorChangesItsCaller_EachOperationActsAsTheCurrentOne()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var accessor = new CountingAccessor { Current = new RegistryCaller(Owner) };
        var events = new RecordingEventObserver();
        var service = new RegistryService(seeded.Store, callers: accessor, observers: [events]);

        await service.DeactivateRegistryAsync(seeded.EnvironmentId, seeded.ActiveId);
        accessor.Current = new RegistryCaller(Member);
        await service.ActivateRegistryAsync(seeded.EnvironmentId, seeded.ActiveId);
        accessor.Current = new RegistryCaller(Reader);
        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => service.DeactivateRegistryAsync(seeded.EnvironmentId, seeded.ActiveId).AsTask());
        accessor.Current = new RegistryCaller(Outsider);
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => service.GetEnvironmentAsync(seeded.EnvironmentId).AsTask());

        Assert.Equal([Owner, Member], events.Events.Select(e => e.Caller));
        Assert.Equal(Reader, denied.User);
    }

    [Fact]
    public async Task Operation_AsyncLocalAccessorInTwoConcurrentFlows_EachFlowActsAsItsOwnUser()
    {
        var store = new CountingStore(new InMemoryRegistryStore());
        var accessor = new AsyncLocalAccessor();
        var events = new RecordingEventObserver();
        var service = new RegistryService(store, callers: accessor, observers: [events]);

        // Both flows are inside CreateEnvironmentAsync at once before either goes on, so their awaits interleave.
        var arrived = 0;
        var bothInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeCreateEnvironment = async () =>
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothInside.SetResult();
            }

            await bothInside.Task.WaitAsync(TimeSpan.FromSeconds(10));
        };

        async Task<(RegistryEnvironment Environment, IReadOnlyList<RegistryEnvironment> Visible, Registry Added)> FlowAsync(string user, string name)
        {
            accessor.Set(user);
            await Task.Yield();
            var environment = await service.CreateEnvironmentAsync(name);
            var added = await service.AddRegistryAsync(environment.Id, RegistryAddress.Quay, Credential(user));
            return (environment, await service.ListEnvironmentsAsync(), added);
        }

        var alice = Task.Run(() => FlowAsync("alice", "alice's"));
        var bob = Task.Run(() => FlowAsync("bob", "bob's"));
        var results = await Task.WhenAll(alice, bob).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, Volatile.Read(ref arrived));
        Assert.Equal(EnvironmentRole.Owner, results[0].Environment.RoleOf("alice"));
        Assert.Null(results[0].Environment.RoleOf("bob"));
        Assert.Equal(EnvironmentRole.Owner, results[1].Environment.RoleOf("bob"));
        Assert.Null(results[1].Environment.RoleOf("alice"));
        Assert.Equal([results[0].Environment.Id], results[0].Visible.Select(e => e.Id));
        Assert.Equal([results[1].Environment.Id], results[1].Visible.Select(e => e.Id));
        Assert.Equal("alice", events.Events.Single(e => e.Registry.Id == results[0].Added.Id).Caller);
        Assert.Equal("bob", events.Events.Single(e => e.Registry.Id == results[1].Added.Id).Caller);
        Assert.Null(accessor.Caller);
    }

    [Fact]
    public async Task As_OnAServiceWithAnAccessor_BindsTheGivenCallerAndLeavesTheOriginalAlone()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var accessor = new CountingAccessor { Current = new RegistryCaller(Reader) };
        var events = new RecordingEventObserver();
        var service = new RegistryService(seeded.Store, callers: accessor, observers: [events]);

        var bound = service.As(Member);
        await bound.DeactivateRegistryAsync(seeded.EnvironmentId, seeded.ActiveId);
        var readerStillDenied = await Assert.ThrowsAsync<PermissionDeniedException>(() => service.ActivateRegistryAsync(seeded.EnvironmentId, seeded.ActiveId).AsTask());

        Assert.NotSame(service, bound);
        Assert.Equal(Member, Assert.Single(events.Events).Caller);
        Assert.Equal(Reader, readerStillDenied.User);

        // The bound service never asks the accessor: only the original's one operation did.
        Assert.Equal(1, accessor.Reads);
    }

    [Fact]
    public async Task As_SharesTheStoreAndObserversOfTheService()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var events = new RecordingEventObserver();
        var service = new RegistryService(seeded.Store, observers: [events]);

        var added = await service.As(Owner).AddRegistryAsync(seeded.EnvironmentId, RegistryAddress.DockerHub, Credential());
        var asMember = await service.As(new RegistryCaller(Member)).GetRegistryAsync(seeded.EnvironmentId, added.Id);

        Assert.Equal(1, seeded.Store.Count(nameof(CountingStore.AddRegistryAsync)));
        Assert.Equal(added.Id, asMember.Registry.Id);
        Assert.Equal((RegistryEventKind.Added, Owner), (Assert.Single(events.Events).Kind, events.Events[0].Caller));
        await Assert.ThrowsAsync<MissingCallerException>(() => service.ListEnvironmentsAsync().AsTask());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public void As_BlankName_ThrowsArgumentException(string name)
    {
        var service = new RegistryService(new InMemoryRegistryStore());

        Assert.ThrowsAny<ArgumentException>(() => service.As(name));
    }

    [Fact]
    public void As_Null_ThrowsArgumentNullException()
    {
        var service = new RegistryService(new InMemoryRegistryStore());

        Assert.Throws<ArgumentNullException>(() => service.As((string)null!));
        Assert.Throws<ArgumentNullException>(() => service.As((RegistryCaller)null!));
    }

    private static Task Run(RegistryService service, string operation, Seeded seeded)
    {
        var id = seeded.EnvironmentId;
        return operation switch
        {
            "createEnvironment" => service.CreateEnvironmentAsync("staging").AsTask(),
            "listEnvironments" => service.ListEnvironmentsAsync().AsTask(),
            "getEnvironment" => service.GetEnvironmentAsync(id).AsTask(),
            "getEnvironmentByIdOrName" => service.GetEnvironmentByIdOrNameAsync("production").AsTask(),
            "setMember" => service.SetMemberAsync(id, "newcomer", EnvironmentRole.Member).AsTask(),
            "add" => service.AddRegistryAsync(id, RegistryAddress.Parse("registry.example.com"), Credential("newer")).AsTask(),
            "list" => service.ListRegistriesAsync(id).AsTask(),
            "get" => service.GetRegistryAsync(id, seeded.ActiveId).AsTask(),
            "getEffective" => service.GetEffectiveRegistryAsync(id, RegistryAddress.Quay).AsTask(),
            "edit" => service.EditRegistryAsync(id, seeded.ActiveId, Credential("edited")).AsTask(),
            "deactivate" => service.DeactivateRegistryAsync(id, seeded.ActiveId).AsTask(),
            "activate" => service.ActivateRegistryAsync(id, seeded.InactiveId).AsTask(),
            "delete" => service.DeleteRegistryAsync(id, seeded.InactiveId).AsTask(),
            "resolveImage" => service.ResolveAsync(id, ImageReference.Parse("registry.example.com/app")).AsTask(),
            "resolveAddress" => service.ResolveAsync(id, RegistryAddress.Quay).AsTask(),
            "hasPermission" => service.HasPermissionAsync(id, RegistryPermission.ManageRegistries).AsTask(),
            "ensurePermission" => service.EnsurePermissionAsync(id, RegistryPermission.UseCredentials).AsTask(),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
        };
    }

    /// <summary>An accessor whose caller the test sets, counting how often the service asks.</summary>
    private sealed class CountingAccessor : IRegistryCallerAccessor
    {
        private int _reads;

        public RegistryCaller? Current { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public RegistryCaller? Caller
        {
            get
            {
                Interlocked.Increment(ref _reads);
                return Current;
            }
        }
    }

    /// <summary>The "current user" of a flow, as IHttpContextAccessor keeps the current request.</summary>
    private sealed class AsyncLocalAccessor : IRegistryCallerAccessor
    {
        private readonly AsyncLocal<RegistryCaller?> _current = new();

        public RegistryCaller? Caller => _current.Value;

        public void Set(string user) => _current.Value = new RegistryCaller(user);
    }
}
