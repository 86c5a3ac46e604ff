using System.Text;
using System.Text.Json;
using Snapshooter.Xunit;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

public sealed class DockerConfigExporterTests
{
    private const string FakePassword = "fake-password-1";

    [Fact]
    public async Task ExportAsync_MixedStates_DockerConfigMatchesSnapshot()
    {
        var domain = await ArrangeMixedAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Snapshot.Match(export.ToDockerConfigJson());
    }

    [Fact]
    public async Task ExportAsync_MixedStates_KubernetesSecretMatchesSnapshot()
    {
        var domain = await ArrangeMixedAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Snapshot.Match(export.ToKubernetesSecretJson("registry-credentials", "apps"));
    }

    [Fact]
    public async Task ExportAsync_MixedStates_ExportsOnlyEffectiveActiveCredentials()
    {
        var domain = await ArrangeMixedAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var auths = ReadAuths(export.ToDockerConfigJson());
        Assert.Equal(["10.0.0.5:5000", "https://index.docker.io/v1/", "quay.io"], auths.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("hub-new:" + FakePassword, auths["https://index.docker.io/v1/"]);
        Assert.DoesNotContain(auths.Keys, k => k.StartsWith("inactive", StringComparison.Ordinal) || k.StartsWith("removed", StringComparison.Ordinal));
        Assert.DoesNotContain("hub-old", export.ToDockerConfigJson(), StringComparison.Ordinal);
        Assert.Empty(export.Notes);
    }

    [Fact]
    public async Task ExportAsync_SymbolPassword_AuthFieldDecodesToUsernameColonPassword()
    {
        var domain = await Domain.CreateAsync();
        const string password = "p@ss:w\"or\\d+/=ÄÖü€ é";
        await domain.AddAsync("registry.example.com:5000", "symbols", password);

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.Equal("symbols:" + password, ReadAuths(export.ToDockerConfigJson())["registry.example.com:5000"]);
        Assert.DoesNotContain(password, export.ToDockerConfigJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_Member_Succeeds()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com", "user", FakePassword);

        var export = await domain.Exporter("bob").ExportAsync(domain.EnvironmentId);

        Assert.Equal([RegistryAddress.Parse("registry.example.com")], export.Addresses);
    }

    [Fact]
    public async Task ExportAsync_ReadOnlyMember_ThrowsPermissionDenied()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com", "user", FakePassword);

        await Assert.ThrowsAsync<PermissionDeniedException>(() => domain.Exporter("reader").ExportAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task ExportAsync_Outsider_ThrowsEnvironmentNotFound()
    {
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => domain.Exporter("mallory").ExportAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task ToString_CanaryPassword_NeverShown()
    {
        var domain = await Domain.CreateAsync();
        const string canary = "CANARY-Secret-42";
        await domain.AddAsync("registry.example.com", "user", canary);

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.DoesNotContain(canary, export.ToString(), StringComparison.Ordinal);
        Assert.Contains("registry.example.com", export.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToKubernetesSecretJson_Data_IsBase64OfDockerConfig()
    {
        var domain = await ArrangeMixedAsync();
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        using var secret = JsonDocument.Parse(export.ToKubernetesSecretJson("pull-secret"));

        var root = secret.RootElement;
        Assert.Equal("v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("Secret", root.GetProperty("kind").GetString());
        Assert.Equal("kubernetes.io/dockerconfigjson", root.GetProperty("type").GetString());
        Assert.False(root.GetProperty("metadata").TryGetProperty("namespace", out _));
        var data = Convert.FromBase64String(root.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!);
        Assert.Equal(export.ToDockerConfigJson(), Encoding.UTF8.GetString(data));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("under_score")]
    [InlineData("new\nline")]
    [InlineData("a..b")]
    public async Task ToKubernetesSecretJson_InvalidName_ThrowsArgumentException(string name)
    {
        var export = await ExportEmptyAsync();

        var ex = Assert.Throws<ArgumentException>(() => export.ToKubernetesSecretJson(name));

        Assert.Contains("Kubernetes secret name", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("UPPER")]
    [InlineData("")]
    public async Task ToKubernetesSecretJson_InvalidNamespace_ThrowsArgumentException(string @namespace)
    {
        var export = await ExportEmptyAsync();

        var ex = Assert.Throws<ArgumentException>(() => export.ToKubernetesSecretJson("ok", @namespace));

        Assert.Contains("namespace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToKubernetesSecretJson_LongestValidName_Accepted()
    {
        var export = await ExportEmptyAsync();
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..253];

        Assert.Contains(name, export.ToKubernetesSecretJson(name), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => export.ToKubernetesSecretJson(name + "a"));
    }

    [Fact]
    public async Task WriteDockerConfigAsync_ExistingFile_ReplacedWithOwnerOnlyPermissions()
    {
        using var directory = new TestDirectory("registries-interop-");
        var path = directory.Combine("docker", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "old content");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var domain = await ArrangeMixedAsync();
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        await export.WriteDockerConfigAsync(path);

        Assert.Equal(export.ToDockerConfigJson(), await File.ReadAllTextAsync(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["config.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteKubernetesSecretAsync_NewFolder_WritesOwnerOnlyFile()
    {
        using var directory = new TestDirectory("registries-interop-");
        var path = directory.Combine("k8s", "secret.json");
        var domain = await ArrangeMixedAsync();
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        await export.WriteKubernetesSecretAsync(path, "pull-secret", "default");

        Assert.Equal(export.ToKubernetesSecretJson("pull-secret", "default"), await File.ReadAllTextAsync(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    internal static Dictionary<string, string> ReadAuths(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("auths").EnumerateObject().ToDictionary(
            p => p.Name,
            p => Encoding.UTF8.GetString(Convert.FromBase64String(p.Value.GetProperty("auth").GetString()!)));
    }

    private static async Task<DockerConfigExport> ExportEmptyAsync()
    {
        var domain = await Domain.CreateAsync();
        return await domain.Exporter().ExportAsync(domain.EnvironmentId);
    }

    /// <summary>Docker Hub overridden by a newer entry, Quay active, a custom registry active, one inactive, one removed.</summary>
    private static async Task<Domain> ArrangeMixedAsync()
    {
        var domain = await Domain.CreateAsync();
        var service = domain.Service;
        await domain.AddAsync("docker.io", "hub-old", "old-password");
        await domain.AddAsync("docker.io", "hub-new", FakePassword);
        await domain.AddAsync("quay.io", "quay-user", FakePassword, "quay@example.com");
        await domain.AddAsync("10.0.0.5:5000", "custom", FakePassword);
        var inactive = await domain.AddAsync("inactive.example.com", "inactive-user", FakePassword);
        await service.DeactivateRegistryAsync(domain.EnvironmentId, inactive.Id);
        var removed = await domain.AddAsync("removed.example.com", "removed-user", FakePassword);
        await service.DeactivateRegistryAsync(domain.EnvironmentId, removed.Id);
        await service.DeleteRegistryAsync(domain.EnvironmentId, removed.Id);

        // An active credential overridden by a newer inactive one is not exported either.
        await domain.AddAsync("overridden.example.com", "first", FakePassword);
        var newer = await domain.AddAsync("overridden.example.com", "second", FakePassword);
        await service.DeactivateRegistryAsync(domain.EnvironmentId, newer.Id);
        return domain;
    }
}
