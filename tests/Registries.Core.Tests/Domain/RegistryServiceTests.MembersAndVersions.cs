namespace Registries.Core.Tests.Domain;

/// <summary>Removing a member, and changes that name the version they were read at (an HTTP If-Match).</summary>
public sealed class RegistryServiceMembersAndVersionsTests
{
    [Fact]
    public async Task RemoveMemberAsync_Member_LosesAccessAtOnce()
    {
        var fixture = await DomainFixture.CreateAsync();

        var environment = await fixture.Service.As(DomainFixture.Owner).RemoveMemberAsync(fixture.EnvironmentId, DomainFixture.Member);

        Assert.Null(environment.RoleOf(DomainFixture.Member));
        Assert.Equal(fixture.Environment.Version + 1, environment.Version);
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => fixture.Service.As(DomainFixture.Member).ListRegistriesAsync(fixture.EnvironmentId).AsTask());
    }

    [Fact]
    public async Task RemoveMemberAsync_NotAMember_ChangesNothing()
    {
        var fixture = await DomainFixture.CreateAsync();

        var environment = await fixture.Service.As(DomainFixture.Owner).RemoveMemberAsync(fixture.EnvironmentId, "nobody");

        Assert.Equal(fixture.Environment.Version, environment.Version);
        Assert.Equal(fixture.Environment.Members.Count, environment.Members.Count);
    }

    [Fact]
    public async Task RemoveMemberAsync_LastOwnerOrNotOwner_Refused()
    {
        var fixture = await DomainFixture.CreateAsync();

        var last = await Assert.ThrowsAsync<RegistryRuleException>(() => fixture.Service.As(DomainFixture.Owner).RemoveMemberAsync(fixture.EnvironmentId, DomainFixture.Owner).AsTask());
        await Assert.ThrowsAsync<PermissionDeniedException>(() => fixture.Service.As(DomainFixture.Member).RemoveMemberAsync(fixture.EnvironmentId, DomainFixture.Reader).AsTask());
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => fixture.Service.As(DomainFixture.Outsider).RemoveMemberAsync(fixture.EnvironmentId, DomainFixture.Reader).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Service.As(DomainFixture.Owner).RemoveMemberAsync(fixture.EnvironmentId, " ").AsTask());

        Assert.Contains("last Owner", last.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await fixture.Service.As(DomainFixture.Owner).GetEnvironmentAsync(fixture.EnvironmentId)).Members.Count);
    }

    [Fact]
    public async Task ChangesWithExpectedVersion_CurrentVersion_Apply()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        var added = await fixture.AddAsync("registry.example.com");

        var edited = await service.EditRegistryAsync(fixture.EnvironmentId, added.Id, DomainFixture.Credential("new"), added.Version);
        var inactive = await service.DeactivateRegistryAsync(fixture.EnvironmentId, added.Id, edited.Version);
        var active = await service.ActivateRegistryAsync(fixture.EnvironmentId, added.Id, inactive.Version);
        var again = await service.DeactivateRegistryAsync(fixture.EnvironmentId, added.Id, active.Version);
        var removed = await service.DeleteRegistryAsync(fixture.EnvironmentId, added.Id, again.Version);

        Assert.Equal((RegistryState.Removed, added.Version + 5), (removed.State, removed.Version));
    }

    [Fact]
    public async Task ChangesWithExpectedVersion_StaleVersion_ConflictAndNothingWritten()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        var added = await fixture.AddAsync("registry.example.com");
        var stale = added.Version;
        await service.EditRegistryAsync(fixture.EnvironmentId, added.Id, DomainFixture.Credential("moved-on"));
        var eventsBefore = fixture.Events.Count;

        var errors = new[]
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => service.EditRegistryAsync(fixture.EnvironmentId, added.Id, DomainFixture.Credential("late"), stale).AsTask()),
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => service.DeactivateRegistryAsync(fixture.EnvironmentId, added.Id, stale).AsTask()),
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => service.ActivateRegistryAsync(fixture.EnvironmentId, added.Id, stale).AsTask()),
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => service.DeleteRegistryAsync(fixture.EnvironmentId, added.Id, stale).AsTask()),
        };

        var stored = await service.GetRegistryAsync(fixture.EnvironmentId, added.Id);
        Assert.Equal(("moved-on", RegistryState.Active, stale + 1), (stored.Registry.Username, stored.Registry.State, stored.Registry.Version));
        Assert.All(errors, e => Assert.Equal((stale, stale + 1), (e.ExpectedVersion, e.ActualVersion)));
        Assert.Equal(eventsBefore, fixture.Events.Count);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.DeactivateRegistryAsync(fixture.EnvironmentId, added.Id, 0).AsTask());
    }
}
