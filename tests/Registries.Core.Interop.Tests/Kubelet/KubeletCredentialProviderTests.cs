using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Storage;

namespace Registries.Core.Interop.Tests;

public sealed class KubeletCredentialProviderTests
{
    private const string FakePassword = "fake-password-1";
    private const string Canary = "canary-Kub3let:\"q\"\\#é\n";

    [Fact]
    public async Task ServeAsync_ActiveRegistry_WritesTheGoldenResponse()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        using var input = new MemoryStream(Golden.ReadBytes("Kubelet/golden/request-v1.json"));
        using var output = new MemoryStream();

        var response = await Provider(domain.Service).ServeAsync(domain.EnvironmentId, input, output);

        Assert.Equal(ResolutionOutcome.Authenticated, response.Outcome);
        Assert.Equal(Golden.Read("Kubelet/golden/response-authenticated.json"), Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task ProvideAsync_DockerHub_KeysDockerIoAsTheKubeletNamesIt()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("docker.io", "hub-user", FakePassword);
        var request = KubeletCredentialRequest.Parse(Golden.ReadBytes("Kubelet/golden/request-v1-service-account.json"));

        var response = await Provider(domain.Service, TimeSpan.FromMinutes(5)).ProvideAsync(domain.EnvironmentId, request);

        Assert.Equal(Golden.Read("Kubelet/golden/response-dockerhub.json"), response.ToJson());
        Assert.DoesNotContain("token-canary", response.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("index.docker.io/library/nginx", "index.docker.io")]
    [InlineData("nginx", "docker.io")]
    [InlineData("Registry.Example.com:5000/app", "Registry.Example.com:5000")]
    [InlineData("registry.example.com:5000/app", "registry.example.com:5000")]
    public async Task ProvideAsync_AuthKey_IsTheImagesRegistryAsWritten(string image, string key)
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("docker.io", "hub-user", FakePassword);
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);

        var response = await Provider(domain.Service).ProvideAsync(domain.EnvironmentId, Request(image));

        Assert.Equal(key, response.AuthKey);
        Assert.True(JsonDocument.Parse(response.ToJson()).RootElement.GetProperty("auth").TryGetProperty(key, out _));
    }

    [Fact]
    public async Task ServeAsync_NoRegistry_WritesAnEmptyAuth()
    {
        var domain = await Domain.CreateAsync();
        using var input = new MemoryStream(Golden.ReadBytes("Kubelet/golden/request-v1.json"));
        using var output = new MemoryStream();

        var response = await Provider(domain.Service).ServeAsync(domain.EnvironmentId, input, output);

        Assert.Equal(ResolutionOutcome.Anonymous, response.Outcome);
        Assert.Equal(Golden.Read("Kubelet/golden/response-anonymous.json"), Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task ServeAsync_InactiveRegistry_WritesNothingAndGivesTheReason()
    {
        var domain = await Domain.CreateAsync();
        var registry = await domain.AddAsync("registry.example.com:5000", "deployer", Canary);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, registry.Id);
        using var input = new MemoryStream(Golden.ReadBytes("Kubelet/golden/request-v1.json"));
        using var output = new MemoryStream();

        var response = await Provider(domain.Service).ServeAsync(domain.EnvironmentId, input, output);

        Assert.Equal(ResolutionOutcome.Denied, response.Outcome);
        Assert.Equal(0, output.Length);
        Assert.False(string.IsNullOrWhiteSpace(response.Resolution.Reason));
        var exception = Assert.Throws<InvalidOperationException>(() => response.ToJson());
        Assert.DoesNotContain("canary", exception.Message + response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvideAsync_CanaryPassword_OnlyInTheDocument()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", Canary);

        var response = await Provider(domain.Service).ProvideAsync(domain.EnvironmentId, Request("registry.example.com:5000/app"));

        var password = JsonDocument.Parse(response.ToJson()).RootElement.GetProperty("auth").GetProperty("registry.example.com:5000").GetProperty("password").GetString();
        Assert.Equal(Canary, password);
        Assert.DoesNotContain("canary", response.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", response.Request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvideAsync_ReadOnlyMember_IsRefused()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);

        await Assert.ThrowsAsync<PermissionDeniedException>(() => Provider(domain.As("reader")).ProvideAsync(domain.EnvironmentId, Request("registry.example.com:5000/app")));
    }

    [Fact]
    public async Task ProvideAsync_Outsider_DoesNotFindTheEnvironment()
    {
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => Provider(domain.As("mallory")).ProvideAsync(domain.EnvironmentId, Request("registry.example.com:5000/app")));
    }

    [Fact]
    public async Task ProvideAsync_KubernetesEnvironmentWithoutTheOrchestration_IsUnsupported()
    {
        var root = new RegistryService(new InMemoryRegistryStore());
        var environment = await root.As("alice").CreateEnvironmentAsync("k8s", OrchestrationKind.Kubernetes);

        await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => Provider(root.As("alice")).ProvideAsync(environment.Id, Request("registry.example.com:5000/app")));
    }

    [Fact]
    public async Task ProvideAsync_KubernetesOrchestrationSupported_Answers()
    {
        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Add(OrchestrationKind.Kubernetes);
        var root = new RegistryService(new InMemoryRegistryStore(), options);
        var owner = root.As("alice");
        var environment = await owner.CreateEnvironmentAsync("k8s", OrchestrationKind.Kubernetes);
        await owner.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com:5000"), new RegistryCredential("ops@example.com", "deployer", FakePassword));

        var response = await Provider(owner).ProvideAsync(environment.Id, Request("registry.example.com:5000/app"));

        Assert.Equal(ResolutionOutcome.Authenticated, response.Outcome);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(86401)]
    public void Constructor_CacheDurationOutOfBounds_ThrowsOptionsValidationException(int seconds)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => new KubeletCredentialProvider(
            new RegistryService(new InMemoryRegistryStore()),
            Options.Create(new KubeletCredentialProviderOptions { CacheDuration = TimeSpan.FromSeconds(seconds) })));

        Assert.Contains("from 1s to 24h", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SubSecondCacheDuration_ThrowsOptionsValidationException()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => new KubeletCredentialProvider(
            new RegistryService(new InMemoryRegistryStore()),
            Options.Create(new KubeletCredentialProviderOptions { CacheDuration = TimeSpan.FromMilliseconds(1500) })));

        Assert.Contains("whole seconds", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateConfigurationAsync_Registries_MatchesTheGoldenConfig()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await domain.AddAsync("docker.io", "hub-user", FakePassword);
        var inactive = await domain.AddAsync("registry.example.com:5000", "old", FakePassword);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, inactive.Id);

        var configuration = await Provider(domain.Service).CreateConfigurationAsync(
            domain.EnvironmentId, "registries", ["kubelet-credential-provider", "ENV", "--store", "/var/lib/registries/store.json", "--as", "kubelet"]);

        Assert.Equal(Golden.Read("Kubelet/golden/credential-provider-config.yaml"), configuration);
        Assert.DoesNotContain(FakePassword, configuration, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/usr/local/bin/registries")]
    [InlineData("..")]
    public async Task CreateConfigurationAsync_ProviderNameWithAPath_Throws(string name)
    {
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => Provider(domain.Service).CreateConfigurationAsync(domain.EnvironmentId, name, []));
    }

    [Fact]
    public async Task CreateConfigurationAsync_NoRegistry_SaysToAddOne()
    {
        var domain = await Domain.CreateAsync();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => Provider(domain.Service).CreateConfigurationAsync(domain.EnvironmentId, "registries", []));

        Assert.Contains("add a registry first", exception.Message, StringComparison.Ordinal);
    }

    private static KubeletCredentialRequest Request(string image) => KubeletCredentialRequest.Parse(Encoding.UTF8.GetBytes(
        $$"""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"{{image}}"}"""));

    private static KubeletCredentialProvider Provider(RegistryService service, TimeSpan? cacheDuration = null)
        => new(service, Options.Create(new KubeletCredentialProviderOptions { CacheDuration = cacheDuration ?? KubeletCredentialProviderOptions.DefaultCacheDuration }));
}
