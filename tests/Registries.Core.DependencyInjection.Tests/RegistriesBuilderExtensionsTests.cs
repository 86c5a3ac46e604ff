using Microsoft.Extensions.DependencyInjection;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>The caller an application plugs in with <c>UseCaller</c>: who every operation of the registered service acts for.</summary>
public sealed class RegistriesBuilderExtensionsTests
{
    private static readonly RegistryCredential Credential = new("ops@example.com", "deploy", "pw");

    [Fact]
    public async Task UseCaller_Accessor_ServiceActsForTheAccessorsCaller()
    {
        await using var provider = new ServiceCollection().AddRegistries().UseCaller<AmbientCaller>().Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();

        AmbientCaller.SignIn("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.SetMemberAsync(environment.Id, "rita", EnvironmentRole.ReadOnly);
        var registry = await service.AddRegistryAsync(environment.Id, RegistryAddress.Quay, Credential);

        AmbientCaller.SignIn("rita");
        Assert.Equal(registry.Id, Assert.Single(await service.ListRegistriesAsync(environment.Id)).Registry.Id);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => service.AddRegistryAsync(environment.Id, RegistryAddress.DockerHub, Credential).AsTask());

        AmbientCaller.SignIn("mallory");
        Assert.Empty(await service.ListEnvironmentsAsync());
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => service.ListRegistriesAsync(environment.Id).AsTask());
        Assert.Equal(EnvironmentRole.Owner, environment.RoleOf("olivia"));
    }

    [Fact]
    public async Task UseCaller_Function_ServiceActsForTheUserItReturns_AskedOnEveryOperation()
    {
        var current = "olivia";
        IServiceProvider? seen = null;
        await using var provider = new ServiceCollection()
            .AddRegistries()
            .UseCaller(sp =>
            {
                seen = sp;
                return current;
            })
            .Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();

        var environment = await service.CreateEnvironmentAsync("prod");
        current = "mallory";

        Assert.Empty(await service.ListEnvironmentsAsync());
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => service.AddRegistryAsync(environment.Id, RegistryAddress.Quay, Credential).AsTask());
        // The function gets the root provider: it resolves the application's singletons.
        Assert.Same(provider.GetRequiredService<Storage.IRegistryStore>(), seen?.GetRequiredService<Storage.IRegistryStore>());
        current = "olivia";
        Assert.Equal(EnvironmentRole.Owner, Assert.Single(await service.ListEnvironmentsAsync()).RoleOf("olivia"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task UseCaller_FunctionReturnsNoName_OperationThrowsMissingCallerAndChangesNothing(string? name)
    {
        await using var provider = new ServiceCollection().AddRegistries().UseCaller(_ => name).Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();

        var error = await Assert.ThrowsAsync<MissingCallerException>(() => service.CreateEnvironmentAsync("prod").AsTask());

        Assert.Contains("RegistryService.As(user)", error.Message, StringComparison.Ordinal);
        Assert.Empty(await provider.GetRequiredService<Storage.IRegistryStore>().ListEnvironmentsAsync());
    }

    [Fact]
    public async Task UseCaller_AccessorWithNobodySignedIn_OperationThrowsMissingCaller()
    {
        await using var provider = new ServiceCollection().AddRegistries().UseCaller<AmbientCaller>().Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();

        AmbientCaller.SignOut();

        await Assert.ThrowsAsync<MissingCallerException>(() => service.ListEnvironmentsAsync().AsTask());
        await Assert.ThrowsAsync<MissingCallerException>(() => service.ResolveAsync("env-1", RegistryAddress.Quay).AsTask());
    }

    [Fact]
    public async Task UseCaller_CalledTwice_TheLastOneWins()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseCaller(_ => "first").UseCaller<AmbientCaller>();
        var reversed = new ServiceCollection();
        reversed.AddRegistries().UseCaller<AmbientCaller>().UseCaller(_ => "second");

        await using var provider = services.BuildServiceProvider();
        await using var reversedProvider = reversed.BuildServiceProvider();

        AmbientCaller.SignIn("ambient");
        Assert.Single(services, d => d.ServiceType == typeof(IRegistryCallerAccessor));
        Assert.Single(reversed, d => d.ServiceType == typeof(IRegistryCallerAccessor));
        Assert.Equal("ambient", provider.GetRequiredService<IRegistryCallerAccessor>().Caller?.Name);
        Assert.Equal("second", reversedProvider.GetRequiredService<IRegistryCallerAccessor>().Caller?.Name);
        var created = await reversedProvider.GetRequiredService<RegistryService>().CreateEnvironmentAsync("prod");
        Assert.Equal(EnvironmentRole.Owner, created.RoleOf("second"));
    }

    [Fact]
    public void UseCaller_RegistersASingletonAccessor()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseCaller<AmbientCaller>();
        var functional = new ServiceCollection();
        functional.AddRegistries().UseCaller(_ => "olivia");

        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(IRegistryCallerAccessor)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(functional, d => d.ServiceType == typeof(IRegistryCallerAccessor)).Lifetime);
        using var provider = services.BuildServiceProvider();
        Assert.IsType<AmbientCaller>(provider.GetRequiredService<IRegistryCallerAccessor>());
        Assert.Same(provider.GetRequiredService<IRegistryCallerAccessor>(), provider.GetRequiredService<IRegistryCallerAccessor>());
    }

    [Fact]
    public void UseCaller_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>("builder", () => RegistriesBuilderExtensions.UseCaller<AmbientCaller>(null!));
        Assert.Throws<ArgumentNullException>("builder", () => RegistriesBuilderExtensions.UseCaller(null!, _ => "olivia"));
        Assert.Throws<ArgumentNullException>("caller", () => builder.UseCaller(null!));
    }

    [Fact]
    public async Task NoUseCaller_OperationsThrowMissingCaller_ButAsWorks()
    {
        await using var provider = new ServiceCollection().AddRegistries().Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();

        await Assert.ThrowsAsync<MissingCallerException>(() => service.CreateEnvironmentAsync("prod").AsTask());
        await Assert.ThrowsAsync<MissingCallerException>(() => service.ListEnvironmentsAsync().AsTask());
        var environment = await service.As("olivia").CreateEnvironmentAsync("prod");

        Assert.Equal(EnvironmentRole.Owner, environment.RoleOf("olivia"));
        Assert.Single(await service.As("olivia").ListEnvironmentsAsync());
        Assert.Empty(await service.As("mallory").ListEnvironmentsAsync());
        Assert.Throws<ArgumentException>(() => service.As(" "));
    }

    [Fact]
    public async Task UseCaller_As_ActsForTheBoundUserInsteadOfTheAccessors()
    {
        await using var provider = new ServiceCollection().AddRegistries().UseCaller(_ => "bob").Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();

        var olivias = await service.As("olivia").CreateEnvironmentAsync("prod");

        Assert.Equal(EnvironmentRole.Owner, olivias.RoleOf("olivia"));
        Assert.Null(olivias.RoleOf("bob"));
        Assert.Empty(await service.ListEnvironmentsAsync());
    }

    [Fact]
    public async Task UseCaller_AsyncLocalAccessor_TwoConcurrentRequestsEachActForTheirOwnUser()
    {
        await using var provider = new ServiceCollection().AddRegistries().UseCaller<AmbientCaller>().Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();
        var bothSignedIn = new Barrier(2);

        // Each "request" signs its user in on its own flow, waits until the other one has too, then works: an accessor
        // over a shared field would see the last user signed in; one over AsyncLocal sees its own request's.
        async Task<(RegistryEnvironment Created, IReadOnlyList<RegistryEnvironment> Seen)> RequestAsync(string user)
        {
            await Task.Yield();
            AmbientCaller.SignIn(user);
            Assert.True(bothSignedIn.SignalAndWait(TimeSpan.FromSeconds(10)), "The other request did not start within 10 s.");
            var created = await service.CreateEnvironmentAsync(user + "-env");
            await Task.Delay(10);
            await service.AddRegistryAsync(created.Id, RegistryAddress.Quay, new RegistryCredential(user + "@example.com", user, "pw"));
            return (created, await service.ListEnvironmentsAsync());
        }

        var results = await Task.WhenAll(Task.Run(() => RequestAsync("alice")), Task.Run(() => RequestAsync("bruno"))).WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var ((created, seen), user) in results.Zip(["alice", "bruno"]))
        {
            Assert.Equal(EnvironmentRole.Owner, created.RoleOf(user));
            Assert.Equal(created.Id, Assert.Single(seen).Id);
            var entry = Assert.Single(await service.As(user).ListRegistriesAsync(created.Id));
            Assert.Equal(user, entry.Registry.Username);
        }
    }

    /// <summary>An accessor as ASP.NET Core's <c>IHttpContextAccessor</c> is made: the caller follows the async flow.</summary>
    private sealed class AmbientCaller : IRegistryCallerAccessor
    {
        private static readonly AsyncLocal<RegistryCaller?> Current = new();

        public RegistryCaller? Caller => Current.Value;

        public static void SignIn(string user) => Current.Value = new RegistryCaller(user);

        public static void SignOut() => Current.Value = null;
    }
}
