using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.DependencyInjection;
using Registries.Core.Sources;

namespace Registries.Core.Interop.Tests.Sources;

/// <summary>AddCredentialHelperSource and AddKubeletPluginSource: one ICredentialSource each, options validated at start
/// (the kubelet config file included), harmless when called twice.</summary>
public sealed class CredentialSourceRegistrationTests : IDisposable
{
    private readonly ProgramFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AddBoth_Valid_OneSingletonSourcePerKind()
    {
        var config = _folder.WriteFile("config.yaml", KubeletPluginFixture.Yaml("plugin", "credentialprovider.kubelet.k8s.io/v1", ["*.example.com"], []));
        using var provider = new ServiceCollection().AddRegistries()
            .AddCredentialHelperSource(o => o.AllowedHelpers.Add("pass"))
            .AddCredentialHelperSource(o => o.AllowedHelpers.Add("ecr-login"))
            .AddKubeletPluginSource(o => { o.ConfigFile = config; o.BinDirectory = _folder.Path; })
            .AddKubeletPluginSource(o => o.Timeout = TimeSpan.FromSeconds(5))
            .Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var sources = provider.GetServices<ICredentialSource>().ToArray();

        Assert.Equal([CredentialSourceKind.CredentialHelper, CredentialSourceKind.KubeletPlugin], sources.Select(s => s.Kind).Order());
        Assert.Same(sources[0], provider.GetServices<ICredentialSource>().First());
        Assert.Contains("ecr-login, pass", sources.OfType<DockerCredentialHelperSource>().Single().ToString(), StringComparison.Ordinal);
        Assert.Equal(["plugin"], sources.OfType<KubeletPluginSource>().Single().ProviderNames);
    }

    [Fact]
    public void AddKubeletPluginSource_InvalidConfigFile_FailsAtStartWithTheLine()
    {
        var config = _folder.WriteFile("config.yaml", "apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders: {}\n");
        using var provider = new ServiceCollection().AddRegistries()
            .AddKubeletPluginSource(o => { o.ConfigFile = config; o.BinDirectory = _folder.Path; })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCredentialHelperSource_InvalidName_FailsAtStart()
    {
        using var provider = new ServiceCollection().AddRegistries().AddCredentialHelperSource(o => o.AllowedHelpers.Add("/usr/bin/evil")).Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("AllowedHelpers[0] is '/usr/bin/evil', not a helper name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>(() => InteropRegistriesBuilderExtensions.AddCredentialHelperSource(null!, _ => { }));
        Assert.Throws<ArgumentNullException>(() => builder.AddCredentialHelperSource(null!));
        Assert.Throws<ArgumentNullException>(() => InteropRegistriesBuilderExtensions.AddKubeletPluginSource(null!, _ => { }));
        Assert.Throws<ArgumentNullException>(() => builder.AddKubeletPluginSource(null!));
    }
}
