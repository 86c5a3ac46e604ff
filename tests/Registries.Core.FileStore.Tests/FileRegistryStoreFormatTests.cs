using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;

namespace Registries.Core.FileStore.Tests;

/// <summary>The store file's format version 1, as a whole document: a change to it is a reviewed diff (and a migration).</summary>
public sealed class FileRegistryStoreFormatTests : IDisposable
{
    private readonly TestDirectory _folder = new("registries-filestore-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task WrittenDocument_FormatVersion1_MatchesSnapshot()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var production = await store.CreateEnvironmentAsync("production", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        await store.UpdateEnvironmentAsync(production.WithMember("bob", EnvironmentRole.ReadOnly));
        await store.CreateEnvironmentAsync("k8s", OrchestrationKind.Kubernetes, new Dictionary<string, EnvironmentRole>());
        var hub = await store.AddRegistryAsync(production.Id, RegistryScope.Of(RegistryAddress.DockerHub), new RegistryCredential("ops@example.com", "ops", "hub-password"));
        await store.AddRegistryAsync(production.Id, RegistryScope.Of(RegistryAddress.Parse("[fe80::1]:5000")), new RegistryCredential("ops@example.com", "ops", "v6-password"));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(hub.Registry.WithState(RegistryState.Inactive), hub.Password));
        await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));
        await store.AddRegistryAsync(production.Id, RegistryScope.Of(RegistryAddress.DockerHub), new RegistryCredential("new@example.com", "newer", "newer-password"));

        var document = JToken.Parse(await File.ReadAllTextAsync(path));

        // The protected values are random (a fresh nonce each time): check their shape, snapshot the rest.
        foreach (var value in document.SelectTokens("registries[*].protectedPassword").Cast<JValue>().ToList())
        {
            Assert.Matches("^v2\\.[0-9a-f]{8}\\.[A-Za-z0-9+/]+=*$", (string)value!);
            value.Value = "(protected)";
        }

        Snapshot.Match(document);
    }
}
