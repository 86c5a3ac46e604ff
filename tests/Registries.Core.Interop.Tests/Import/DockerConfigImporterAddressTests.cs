using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Issue 14: the importer's Unchanged check resolves the address itself (not a made-up image of it), and its
/// helper timeout runs on the clock it is given.</summary>
public sealed class DockerConfigImporterAddressTests
{
    private const string SingleLabel = DockerConfigExporterAddressTests.SingleLabel;

    [Fact]
    public async Task ImportAsync_AddressNoImageCanNameTwice_SecondIsUnchanged()
    {
        var domain = await Domain.CreateAsync();
        var json = "{\"auths\": {\"" + SingleLabel + "\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")) + "\"}}}";
        var importer = Domain.Importer(domain.Service);

        var first = await importer.ImportAsync(domain.EnvironmentId, json, "import@example.com");
        var second = await importer.ImportAsync(domain.EnvironmentId, json, "import@example.com");

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(first.Entries).Status);
        var unchanged = Assert.Single(second.Entries);
        Assert.Equal(DockerConfigImportStatus.Unchanged, unchanged.Status);
        Assert.Equal(first.Entries[0].RegistryId, unchanged.RegistryId);
        Assert.Single(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task ImportAsync_SameCredentialButEffectiveEntryInactive_IsImportedNotUnchanged()
    {
        // The address's resolution is Denied, not Authenticated: importing is adding, and the new entry takes over.
        var domain = await Domain.CreateAsync();
        var old = await domain.AddAsync("registry.example.com", "u", "p");
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, old.Id);
        var json = "{\"auths\": {\"registry.example.com\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")) + "\"}}}";

        var result = await Domain.Importer(domain.Service).ImportAsync(domain.EnvironmentId, json, "import@example.com");

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(result.Entries).Status);
        Assert.Equal(ResolutionOutcome.Authenticated, (await domain.ResolveAsync("registry.example.com")).Outcome);
    }

    [Fact]
    public async Task ImportAsync_AddressDeniedByThePolicyTwice_SecondIsUnchanged()
    {
        // The address's resolution is Denied by the policy, naming no entry: the entry there is still compared.
        var domain = await Domain.CreateAsync();
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com")));
        var json = "{\"auths\": {\"registry.example.com\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")) + "\"}}}";
        var importer = Domain.Importer(domain.Service);

        var first = await importer.ImportAsync(domain.EnvironmentId, json, "import@example.com");
        var second = await importer.ImportAsync(domain.EnvironmentId, json, "import@example.com");

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(first.Entries).Status);
        Assert.Equal(DockerConfigImportStatus.Unchanged, Assert.Single(second.Entries).Status);
        Assert.Single(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task ImportAsync_HelperHangsFakeClock_StoppedWhenTheTimeoutHasPassedOnTheClock()
    {
        var domain = await Domain.CreateAsync();
        var clock = new FakeTimeProvider();
        var importer = new DockerConfigImporter(domain.Service, Microsoft.Extensions.Options.Options.Create(DockerConfigImporterTests.HelperOptions()), timeProvider: clock);

        var import = importer.ImportAsync(domain.EnvironmentId, """{"credHelpers": {"hang.example.com": "test"}}""", "import@example.com");

        // The helper sleeps 60 s on the wall; its 10 s timeout passes on the importer's clock.
        for (var i = 0; i < 200 && !import.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        var entry = Assert.Single((await import.WaitAsync(TimeSpan.FromSeconds(20))).Entries);
        Assert.Equal(DockerConfigImportStatus.Failed, entry.Status);
        Assert.Contains("did not answer within 10 s", entry.Reason, StringComparison.Ordinal);
    }
}
