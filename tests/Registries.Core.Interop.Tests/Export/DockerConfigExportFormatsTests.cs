using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The containers auth.json and k3s registries.yaml renderings, against hand-written golden files.</summary>
public sealed class DockerConfigExportFormatsTests
{
    private const string FakePassword = "fake-password-1";

    // Every character YAML or JSON treats specially, a line break, a tab, a bidi control, non-ASCII and an emoji.
    private const string YamlCanary = "canary-\"q\" \\back: #hash\n- item\t{a: [b]} 'single' & *star ! % @ ` é ü € \u202E 🙂 ~";

    [Fact]
    public async Task ToContainersAuthJson_MatchesTheGoldenFile()
    {
        var export = await ArrangeAsync();

        Assert.Equal(Golden.Read("Export/golden/containers-auth.json"), export.ToContainersAuthJson());
    }

    [Fact]
    public async Task ToK3sRegistriesYamlAsync_CaInstalledForOneRegistry_MatchesTheGoldenFile()
    {
        using var certs = new TestDirectory("registries-k3s-");
        Directory.CreateDirectory(certs.Combine("registry.example.com:5000"));
        await File.WriteAllTextAsync(certs.Combine("registry.example.com:5000", "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        Directory.CreateDirectory(certs.Combine("10.0.0.5:5000"));
        var export = await ArrangeAsync();

        var yaml = await export.ToK3sRegistriesYamlAsync(certs.Path);

        Assert.Equal(Golden.Read("Export/golden/k3s-registries.yaml").Replace("CERTS", certs.Path, StringComparison.Ordinal), yaml);
    }

    [Fact]
    public async Task ToK3sRegistriesYamlAsync_NoCertificatesDirectory_WritesNoTls()
    {
        var export = await ArrangeAsync();

        var yaml = await export.ToK3sRegistriesYamlAsync();

        Assert.DoesNotContain("tls", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("email", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToK3sRegistriesYamlAsync_NothingActive_WritesEmptyConfigs()
    {
        var domain = await Domain.CreateAsync();

        var yaml = await (await domain.Exporter().ExportAsync(domain.EnvironmentId)).ToK3sRegistriesYamlAsync();

        Assert.Equal("configs: {}\n", yaml);
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/certs.d")]
    public async Task ToK3sRegistriesYamlAsync_CertificatesDirectoryNotAbsolute_Throws(string directory)
    {
        var export = await ArrangeAsync();

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => export.ToK3sRegistriesYamlAsync(directory));

        Assert.Contains("absolute", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToK3sRegistriesYamlAsync_YamlSensitivePassword_RoundTripsThroughAYamlParser()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "user \"#x'&", YamlCanary);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);
        var yaml = await export.ToK3sRegistriesYamlAsync();

        // PyYAML, an independent YAML 1.1 parser (k3s reads the file with Go's YAML 1.1-compatible parser).
        var result = await Processes.RunAsync(
            "python3",
            ["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"],
            input: yaml,
            timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.Error);
        var auth = JsonDocument.Parse(result.Output).RootElement.GetProperty("configs").GetProperty("registry.example.com:5000").GetProperty("auth");
        Assert.Equal(YamlCanary, auth.GetProperty("password").GetString());
        Assert.Equal("user \"#x'&", auth.GetProperty("username").GetString());

        // configs, the key, auth, username, password: the line break in the password stays an escape.
        Assert.Equal(5, yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task ToContainersAuthJson_SymbolPassword_DecodesToUsernameColonPassword()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "symbols", YamlCanary);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var json = export.ToContainersAuthJson();

        var auth = JsonDocument.Parse(json).RootElement.GetProperty("auths").GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!;
        Assert.Equal("symbols:" + YamlCanary, Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
        Assert.DoesNotContain("canary", json, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", export.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_BothFormats_FilesAreOwnerOnly()
    {
        using var directory = new TestDirectory("registries-formats-");
        var export = await ArrangeAsync();
        var auth = directory.Combine("containers", "auth.json");
        var registries = directory.Combine("k3s", "registries.yaml");

        await export.WriteContainersAuthAsync(auth);
        await export.WriteK3sRegistriesAsync(registries);

        Assert.Equal(export.ToContainersAuthJson(), await File.ReadAllTextAsync(auth));
        Assert.Equal(await export.ToK3sRegistriesYamlAsync(), await File.ReadAllTextAsync(registries));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(auth));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(registries));
    }

    [Fact]
    public async Task GetNotes_OneLabelHost_IsNotedForContainersAndK3sOnly()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("myregistry", "local", FakePassword);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.Empty(export.GetNotes(DockerConfigFormat.Docker));
        Assert.Empty(export.GetNotes(DockerConfigFormat.Kubernetes));
        Assert.Contains(export.GetNotes(DockerConfigFormat.ContainersAuth), n => n.Contains("docker.io/myregistry/app", StringComparison.Ordinal));
        Assert.Single(export.GetNotes(DockerConfigFormat.K3s));
        Assert.Throws<ArgumentOutOfRangeException>(() => export.GetNotes((DockerConfigFormat)42));
    }

    [Theory]
    [InlineData(DockerConfigFormat.Docker, "https://index.docker.io/v1/")]
    [InlineData(DockerConfigFormat.Kubernetes, "imagePullSecrets")]
    [InlineData(DockerConfigFormat.ContainersAuth, "keyed docker.io")]
    [InlineData(DockerConfigFormat.K3s, "no per-registry mirror-only")]
    [InlineData(DockerConfigFormat.DockerDaemon, "Docker Hub's mirrors only")]
    public void DescribeLimits_EachFormat_SaysWhatItCannotExpress(DockerConfigFormat format, string expected)
        => Assert.Contains(expected, DockerConfigExport.DescribeLimits(format), StringComparison.Ordinal);

    private static async Task<DockerConfigExport> ArrangeAsync()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await domain.AddAsync("docker.io", "hub-user", FakePassword);
        await domain.AddAsync("10.0.0.5:5000", "ops", FakePassword);
        var inactive = await domain.AddAsync("quay.io", "q", FakePassword);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, inactive.Id);
        return await domain.Exporter().ExportAsync(domain.EnvironmentId);
    }
}
