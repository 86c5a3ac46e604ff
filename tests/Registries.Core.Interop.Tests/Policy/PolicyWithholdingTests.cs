using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Interop;

namespace Registries.Core.Interop.Tests.Policy;

/// <summary>The credential helper and the kubelet provider obey the environment's policy the only way they can: by
/// withholding. The helper, asked per server, withholds only when every image of the server is denied; the kubelet
/// provider, asked per image, withholds a denied image's credential and never lets a cached answer serve one.</summary>
public sealed class PolicyWithholdingTests
{
    private const string Host = "registry.example.com:5000";
    private const string Canary = "policy-canary-P4ss:w/rd";

    [Fact]
    public async Task Helper_Get_ServerDeniedAsAWhole_FailsNamingTheRule_NotNotFound()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope(Host)));

        var (exit, output, diagnostics) = await RunHelperAsync(domain, "get", Host);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(DockerCredentialHelper.CredentialsNotFoundMessage, output, StringComparison.Ordinal);
        Assert.Contains("denied", output, StringComparison.Ordinal);
        Assert.Contains($"policy denies '{Host}'", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, output + diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helper_Get_AllowListWithoutTheServer_Withholds()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Allow(RegistryScope.ParseScope("quay.io")));

        var (exit, output, _) = await RunHelperAsync(domain, "get", Host);
        var (_, list, _) = await RunHelperAsync(domain, "list", string.Empty);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Contains("no allow rule", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, output, StringComparison.Ordinal);
        Assert.Equal("{}\n", list);
    }

    [Theory]
    [InlineData("deny", "registry.example.com:5000/team")]
    [InlineData("allow-digest", "registry.example.com:5000")]
    [InlineData("allow", "registry.example.com:5000/team")]
    public async Task Helper_Get_ServerOnlyPartlyDenied_StillAnswersTheCredential(string kind, string scope)
    {
        // The helper cannot refuse one image: a server some of whose images are allowed gets its credential.
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        var parsed = RegistryScope.ParseScope(scope);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, kind switch
        {
            "deny" => PolicyRule.Deny(parsed),
            "allow-digest" => PolicyRule.Allow(parsed, digestOnly: true),
            _ => PolicyRule.Allow(parsed),
        });

        var (exit, output, _) = await RunHelperAsync(domain, "get", Host);
        var (_, list, _) = await RunHelperAsync(domain, "list", string.Empty);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        using var answer = JsonDocument.Parse(output);
        Assert.Equal(Canary, answer.RootElement.GetProperty("Secret").GetString());
        using var listed = JsonDocument.Parse(list);
        Assert.Equal("deploy", listed.RootElement.GetProperty(Host).GetString());
    }

    [Fact]
    public async Task Helper_List_LeavesOutServersDeniedAsAWhole()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        await domain.AddAsync("quay.io", "quay-user", Canary);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("quay.io")));

        var (exit, list, _) = await RunHelperAsync(domain, "list", string.Empty);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        using var listed = JsonDocument.Parse(list);
        Assert.Equal([Host], listed.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Kubelet_DeniedImage_NoDocumentNoCredential_RuleInTheReason()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope(Host + "/team")));

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse(Host + "/team/app:1")));
        using var output = new MemoryStream();
        var served = await Provider(domain).ServeAsync(domain.EnvironmentId, new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"{KubeletCredentialRequest.ApiVersionV1}\",\"kind\":\"{KubeletCredentialRequest.Kind}\",\"image\":\"{Host}/team/app:1\"}}")), output);

        Assert.Equal(ResolutionOutcome.Denied, response.Outcome);
        Assert.False(response.HasDocument);
        Assert.Null(response.Resolution.MatchedRegistry);
        Assert.Contains(Host + "/team", response.Resolution.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, response.ToString(), StringComparison.Ordinal);
        Assert.Equal(ResolutionOutcome.Denied, served.Outcome);
        Assert.Equal(0, output.Length);
    }

    [Theory]
    [InlineData("deny-path")]
    [InlineData("allow-digest")]
    public async Task Kubelet_AllowedImageOfARegistryWithAPathOrDigestRule_CachedPerImage(string kind)
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, kind == "deny-path"
            ? PolicyRule.Deny(RegistryScope.ParseScope(Host + "/team"))
            : PolicyRule.Allow(RegistryScope.ParseScope(Host), digestOnly: true));
        var image = kind == "deny-path" ? Host + "/other/app:1" : Host + "/app@sha256:" + new string('b', 64);

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse(image)));

        Assert.Equal(ResolutionOutcome.Authenticated, response.Outcome);
        Assert.True(response.HasDocument);
        Assert.Equal(KubeletCredentialResponse.ImageCacheKeyType, response.CacheKey);
    }

    [Fact]
    public async Task Kubelet_HostLevelRulesOnly_CachedPerRegistry()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "deploy", Canary);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Allow(RegistryScope.ParseScope(Host)));
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("quay.io/team")));

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse(Host + "/app:1")));

        Assert.Equal(ResolutionOutcome.Authenticated, response.Outcome);
        Assert.Equal(KubeletCredentialResponse.CacheKeyType, response.CacheKey);
    }

    private static KubeletCredentialProvider Provider(Domain domain)
        => new(domain.Service, Options.Create(new KubeletCredentialProviderOptions()));

    private static async Task<(int Exit, string Output, string Diagnostics)> RunHelperAsync(Domain domain, string verb, string input)
    {
        var output = new StringWriter();
        var diagnostics = new StringWriter();
        var exit = await new DockerCredentialHelper(domain.Service, domain.EnvironmentId).RunAsync(verb, new StringReader(input), output, diagnostics);
        return (exit, output.ToString(), diagnostics.ToString());
    }
}
