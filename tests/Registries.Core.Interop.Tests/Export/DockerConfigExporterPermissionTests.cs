namespace Registries.Core.Interop.Tests;

// A ReadOnly member may list registries but never use their credentials: the export is refused whatever is stored,
// not only when an active entry would have been resolved.
public sealed class DockerConfigExporterPermissionTests
{
    [Fact]
    public async Task ExportAsync_ReadOnlyMemberNothingStored_ThrowsPermissionDenied()
    {
        var domain = await Domain.CreateAsync();

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(() => domain.Exporter("reader").ExportAsync(domain.EnvironmentId));

        Assert.Equal(EnvironmentRole.ReadOnly, error.Role);
    }

    [Fact]
    public async Task ExportAsync_ReadOnlyMemberOnlyInactiveEntries_ThrowsPermissionDenied()
    {
        var domain = await Domain.CreateAsync();
        var registry = await domain.AddAsync("registry.example.com", "user", "CANARY-ReadOnly-1");
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, registry.Id);

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(() => domain.Exporter("reader").ExportAsync(domain.EnvironmentId));

        Assert.DoesNotContain("CANARY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_ReadOnlyMemberActiveEntry_ThrowsPermissionDenied()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com", "user", "CANARY-ReadOnly-2");

        var error = await Assert.ThrowsAsync<PermissionDeniedException>(() => domain.Exporter("reader").ExportAsync(domain.EnvironmentId));

        Assert.DoesNotContain("CANARY", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_MemberNothingStored_IsEmpty()
    {
        var domain = await Domain.CreateAsync();

        var export = await domain.Exporter("bob").ExportAsync(domain.EnvironmentId);

        Assert.Empty(export.Addresses);
    }
}
