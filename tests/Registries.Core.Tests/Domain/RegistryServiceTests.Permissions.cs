using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

// Permissions as an API: HasPermissionAsync and EnsurePermissionAsync answer from the one role table, and an outsider
// learns nothing.
public sealed partial class RegistryServiceTests
{
    public static TheoryData<RegistryPermission> Permissions() => [.. Enum.GetValues<RegistryPermission>()];

    [Theory]
    [MemberData(nameof(RegistryEnvironmentTests.PermissionTable), MemberType = typeof(RegistryEnvironmentTests))]
    public async Task HasPermissionAsync_EveryRoleAndPermission_AnswersAsTheTableAndEnsureAgrees(string user, RegistryPermission permission, bool expected)
    {
        var f = await CreateAsync();
        var service = f.Service.As(user);

        if (user == Outsider)
        {
            var unknown = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => service.HasPermissionAsync("1a999", permission).AsTask());
            var has = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => service.HasPermissionAsync(f.EnvironmentId, permission).AsTask());
            var ensure = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => service.EnsurePermissionAsync(f.EnvironmentId, permission).AsTask());

            // The same answer as for an id that does not exist.
            Assert.Equal(unknown.Message.Replace("1a999", f.EnvironmentId, StringComparison.Ordinal), has.Message);
            Assert.Equal(has.Message, ensure.Message);
            return;
        }

        Assert.Equal(expected, await service.HasPermissionAsync(f.EnvironmentId, permission));
        if (expected)
        {
            var environment = await service.EnsurePermissionAsync(f.EnvironmentId, permission);
            Assert.Equal(f.EnvironmentId, environment.Id);
            Assert.Equal(f.Environment.RoleOf(user), environment.RoleOf(user));
        }
        else
        {
            var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => service.EnsurePermissionAsync(f.EnvironmentId, permission).AsTask());
            Assert.Equal(user, denied.User);
            Assert.Equal(f.EnvironmentId, denied.EnvironmentId);
            Assert.Equal(f.Environment.RoleOf(user), denied.Role);
        }
    }

    [Theory]
    [InlineData(RegistryPermission.ManageRegistries, "may not manage registries")]
    [InlineData(RegistryPermission.UseCredentials, "may not use the environment's credentials")]
    public async Task EnsurePermissionAsync_ReadOnlyMember_ThrowsPermissionDeniedSayingWhatAndWhom(RegistryPermission permission, string says)
    {
        var f = await CreateAsync();

        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => f.Service.As(Reader).EnsurePermissionAsync(f.EnvironmentId, permission).AsTask());

        Assert.Equal(EnvironmentRole.ReadOnly, denied.Role);
        Assert.Contains(says, denied.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Reader}'", denied.Message, StringComparison.Ordinal);
        Assert.Contains("ask an owner", denied.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RegistryPermission.ReadRegistries)]
    [InlineData(RegistryPermission.ManageRegistries)]
    [InlineData(RegistryPermission.UseCredentials)]
    public async Task HasPermissionAsync_RegistryPermissionInUnsupportedOrchestration_ThrowsUnsupportedOrchestrationForEveryRole(RegistryPermission permission)
    {
        var f = await CreateAsync(OrchestrationKind.Kubernetes);

        foreach (var user in new[] { Owner, Member, Reader })
        {
            var has = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.Service.As(user).HasPermissionAsync(f.EnvironmentId, permission).AsTask());
            var ensure = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.Service.As(user).EnsurePermissionAsync(f.EnvironmentId, permission).AsTask());

            Assert.Equal(OrchestrationKind.Kubernetes, has.Orchestration);
            Assert.Equal(f.EnvironmentId, ensure.EnvironmentId);
            Assert.Contains("Cattle", has.Message, StringComparison.Ordinal);
        }

        // An outsider still learns nothing, not even the orchestration.
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).HasPermissionAsync(f.EnvironmentId, permission).AsTask());
    }

    [Theory]
    [InlineData(Owner, RegistryPermission.ReadEnvironment, true)]
    [InlineData(Owner, RegistryPermission.ManageMembers, true)]
    [InlineData(Member, RegistryPermission.ReadEnvironment, true)]
    [InlineData(Member, RegistryPermission.ManageMembers, false)]
    [InlineData(Reader, RegistryPermission.ReadEnvironment, true)]
    [InlineData(Reader, RegistryPermission.ManageMembers, false)]
    public async Task HasPermissionAsync_EnvironmentPermissionInUnsupportedOrchestration_IsAnsweredFromTheRole(string user, RegistryPermission permission, bool expected)
    {
        var f = await CreateAsync(OrchestrationKind.Swarm);

        Assert.Equal(expected, await f.Service.As(user).HasPermissionAsync(f.EnvironmentId, permission));
        if (expected)
        {
            Assert.Equal(OrchestrationKind.Swarm, (await f.Service.As(user).EnsurePermissionAsync(f.EnvironmentId, permission)).Orchestration);
        }
        else
        {
            await Assert.ThrowsAsync<PermissionDeniedException>(() => f.Service.As(user).EnsurePermissionAsync(f.EnvironmentId, permission).AsTask());
        }
    }

    [Theory]
    [InlineData(Owner)]
    [InlineData(Reader)]
    [InlineData(Outsider)]
    public async Task HasPermissionAsync_UnknownPermission_ThrowsArgumentOutOfRangeAndReadsNothing(string user)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var service = new RegistryService(seeded.Store).As(user);

        var has = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.HasPermissionAsync(seeded.EnvironmentId, (RegistryPermission)42).AsTask());
        var ensure = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.EnsurePermissionAsync(seeded.EnvironmentId, (RegistryPermission)(-1)).AsTask());

        Assert.Equal("permission", has.ParamName);
        Assert.Equal("permission", ensure.ParamName);
        Assert.Contains("use ReadEnvironment, ReadRegistries, ManageRegistries, UseCredentials or ManageMembers", has.Message, StringComparison.Ordinal);
        Assert.Equal(0, seeded.Store.Total);
    }

    [Theory]
    [MemberData(nameof(Permissions))]
    public async Task HasPermissionAsync_AnyPermission_ChangesNothing(RegistryPermission permission)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var service = new RegistryService(seeded.Store).As(Member);

        await service.HasPermissionAsync(seeded.EnvironmentId, permission);
        await service.EnsurePermissionAsync(seeded.EnvironmentId, RegistryPermission.ReadEnvironment);

        Assert.Equal(2, seeded.Store.Count(nameof(CountingStore.GetEnvironmentAsync)));
        Assert.Equal(2, seeded.Store.Total);
    }
}
