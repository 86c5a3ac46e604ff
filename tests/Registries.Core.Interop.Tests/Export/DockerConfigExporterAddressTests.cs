namespace Registries.Core.Interop.Tests;

/// <summary>Issue 14: the exporter reads each credential by resolving its address, so an address that no image
/// reference can name is exported like any other.</summary>
public sealed class DockerConfigExporterAddressTests
{
    // A single-label host: a valid registry address (docker login registry), but "registry/x" is the Docker Hub
    // repository docker.io/registry/x, so no image reference names it.
    internal const string SingleLabel = "registry";

    [Fact]
    public void Premise_SingleLabelHost_IsAnAddressNoImageCanName()
    {
        var address = RegistryAddress.Parse(SingleLabel);

        Assert.True(ImageReference.TryParse(SingleLabel + "/x", out var image));
        Assert.NotEqual(address, image.Address);
        Assert.True(image.Address.IsDockerHub);
    }

    [Fact]
    public async Task ExportAsync_AddressNoImageCanName_IsExported()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(SingleLabel, "single", "CANARY-single-1");
        await domain.AddAsync("docker.io", "hub", "hub-password");

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.Contains(RegistryAddress.Parse(SingleLabel), export.Addresses);
        Assert.Empty(export.Notes);
        var auths = DockerConfigExporterTests.ReadAuths(export.ToDockerConfigJson());
        Assert.Equal("single:CANARY-single-1", auths[SingleLabel]);
        Assert.Equal("hub:hub-password", auths["https://index.docker.io/v1/"]);
        Assert.DoesNotContain("CANARY", export.ToString(), StringComparison.Ordinal);
    }
}
