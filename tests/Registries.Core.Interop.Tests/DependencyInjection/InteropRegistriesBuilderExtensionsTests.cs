using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.DependencyInjection;
using Registries.Core.Storage;

namespace Registries.Core.Interop.Tests;

/// <summary>UseDockerConfigInterop and UseRegistryVerification: options validated at start with messages that say what to
/// fix, singletons over the registered service that act for the caller UseCaller plugs in, user registrations kept.</summary>
public sealed class InteropRegistriesBuilderExtensionsTests
{
    [Fact]
    public void UseDockerConfigInterop_NullBuilder_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => InteropRegistriesBuilderExtensions.UseDockerConfigInterop(null!));
        Assert.Throws<ArgumentNullException>(() => InteropRegistriesBuilderExtensions.UseRegistryVerification(null!));
    }

    [Fact]
    public async Task UseKubeletCredentialProvider_Configured_SingletonThatAnswersForTheCaller()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseCaller(_ => "alice")
            .UseKubeletCredentialProvider(o => o.CacheDuration = TimeSpan.FromSeconds(30))
            .Services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var service = provider.GetRequiredService<RegistryService>();
        var environment = await service.CreateEnvironmentAsync("nodes");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), new RegistryCredential("e@example.com", "robot", "CANARY-kubelet-di"));
        var kubelet = provider.GetRequiredService<KubeletCredentialProvider>();

        var response = await kubelet.ProvideAsync(environment.Id, KubeletCredentialRequest.For(ImageReference.Parse("registry.example.com/team/app")));

        Assert.Same(kubelet, provider.GetRequiredService<KubeletCredentialProvider>());
        Assert.Equal(ResolutionOutcome.Authenticated, response.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), response.CacheDuration);
        Assert.Throws<ArgumentNullException>(() => InteropRegistriesBuilderExtensions.UseKubeletCredentialProvider(null!));
    }

    [Fact]
    public void AddIdentityTokenSource_CalledTwice_OneSingletonServingIdentityTokensToTheSourcesCache()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .AddIdentityTokenSource(o => o.Timeout = TimeSpan.FromSeconds(5))
            .AddIdentityTokenSource()
            .Services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var source = provider.GetRequiredService<IdentityTokenSource>();

        Assert.Same(source, Assert.Single(provider.GetServices<global::Registries.Core.Sources.ICredentialSource>()));
        Assert.Contains(CredentialSourceKind.IdentityToken, provider.GetRequiredService<global::Registries.Core.Sources.CredentialSources>().Kinds);
        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<IdentityTokenSourceOptions>>().Value.Timeout);
        Assert.Throws<ArgumentNullException>(() => InteropRegistriesBuilderExtensions.AddIdentityTokenSource(null!));
    }

    [Fact]
    public void AddIdentityTokenSource_InvalidOptions_FailAtStartWithWhatToFix()
    {
        using var provider = new ServiceCollection().AddRegistries().AddIdentityTokenSource(o => o.MaxResponseBytes = 1).Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("IdentityTokenSourceOptions.MaxResponseBytes is 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(86_401)]
    public void UseKubeletCredentialProvider_CacheDurationOutOfRange_FailsAtStartWithTheFix(int seconds)
    {
        using var provider = new ServiceCollection().AddRegistries().UseKubeletCredentialProvider(o => o.CacheDuration = TimeSpan.FromSeconds(seconds)).Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("give one from 1s to 24h", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseDockerConfigInterop_Defaults_ValidAtStartAndSingletons()
    {
        using var provider = new ServiceCollection().AddRegistries().UseDockerConfigInterop().UseRegistryVerification().Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Same(provider.GetRequiredService<DockerConfigExporter>(), provider.GetRequiredService<DockerConfigExporter>());
        Assert.Same(provider.GetRequiredService<ContainersPolicyExporter>(), provider.GetRequiredService<ContainersPolicyExporter>());
        Assert.Same(provider.GetRequiredService<DockerConfigImporter>(), provider.GetRequiredService<DockerConfigImporter>());
        Assert.Same(provider.GetRequiredService<RegistryCredentialVerifier>(), provider.GetRequiredService<RegistryCredentialVerifier>());
    }

    [Fact]
    public async Task UseDockerConfigInterop_WithUseCaller_ExporterAndImporterActForTheCurrentCaller()
    {
        var caller = new CurrentCaller();
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseCaller(_ => caller.Name)
            .UseDockerConfigInterop(o => o.HelperDirectories.Add(Path.Combine(AppContext.BaseDirectory, "helpers")))
            .Services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();
        var environment = await service.As("alice").CreateEnvironmentAsync("di");
        await service.As("alice").SetMemberAsync(environment.Id, "reader", EnvironmentRole.ReadOnly);
        var exporter = provider.GetRequiredService<DockerConfigExporter>();
        var importer = provider.GetRequiredService<DockerConfigImporter>();
        const string json = "{\"auths\": {\"registry.example.com\": {\"username\": \"u\", \"password\": \"CANARY-di\"}}}";

        caller.Name = "alice";
        var imported = await importer.ImportAsync(environment.Id, json, "ops@example.com");
        var export = await exporter.ExportAsync(environment.Id);
        caller.Name = "reader";
        var readerImport = await Assert.ThrowsAsync<PermissionDeniedException>(() => importer.ImportAsync(environment.Id, json, "ops@example.com"));
        var readerExport = await Assert.ThrowsAsync<PermissionDeniedException>(() => exporter.ExportAsync(environment.Id));
        caller.Name = null;
        await Assert.ThrowsAsync<MissingCallerException>(() => exporter.ExportAsync(environment.Id));

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(imported.Entries).Status);
        Assert.Equal([RegistryAddress.Parse("registry.example.com")], export.Addresses);
        Assert.Equal("reader", readerImport.User);
        Assert.Equal("reader", readerExport.User);
    }

    [Fact]
    public async Task UseDockerConfigInterop_ServiceBoundWithAs_ActsForThatCaller()
    {
        using var provider = new ServiceCollection().AddRegistries().UseDockerConfigInterop().Services.BuildServiceProvider();
        var alice = provider.GetRequiredService<RegistryService>().As("alice");
        var environment = await alice.CreateEnvironmentAsync("bound");
        await alice.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), new RegistryCredential("ops@example.com", "u", "p"));

        // Without UseCaller the registered exporter has no caller; one over a bound service has.
        await Assert.ThrowsAsync<MissingCallerException>(() => provider.GetRequiredService<DockerConfigExporter>().ExportAsync(environment.Id));
        var export = await new DockerConfigExporter(alice).ExportAsync(environment.Id);

        Assert.Single(export.Addresses);
    }

    [Fact]
    public void UseDockerConfigInterop_InvalidOptions_FailAtStartWithWhatToFix()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDockerConfigInterop(o =>
            {
                o.HelperTimeout = TimeSpan.Zero;
                o.HelperDirectories.Add("bin");
                o.HelperDirectories.Add(" ");
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(DockerConfigImportOptions), error.OptionsType);
        Assert.Contains("DockerConfigImportOptions.HelperTimeout is 00:00:00: it must be positive, for example 10 seconds.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("DockerConfigImportOptions.HelperDirectories[0] is 'bin', not an absolute folder", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("DockerConfigImportOptions.HelperDirectories[1] is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void UseDockerConfigInterop_VerifyWithoutUseRegistryVerification_FailsAtStartNamingTheFix()
    {
        using var provider = new ServiceCollection().AddRegistries().UseDockerConfigInterop(o => o.Verify = true).Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("call UseRegistryVerification()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseDockerConfigInterop_VerifyWithUseRegistryVerification_ImporterAsksTheRegistry()
    {
        await using var registry = new ConnectionCounter();
        using var directory = new Registries.Testing.TestDirectory("registries-interop-");
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDockerConfigInterop(o => o.Verify = true)
            .UseRegistryVerification(o =>
            {
                o.CertificatesDirectory = directory.Path;
                o.Timeout = TimeSpan.FromSeconds(2);
            })
            .Services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var alice = provider.GetRequiredService<RegistryService>().As("alice");
        var environment = await alice.CreateEnvironmentAsync("verify");
        var json = "{\"auths\": {\"" + registry.Address + "\": {\"username\": \"u\", \"password\": \"p\"}}}";

        var result = await new DockerConfigImporter(alice, provider.GetRequiredService<IOptions<DockerConfigImportOptions>>(), provider.GetRequiredService<RegistryCredentialVerifier>())
            .ImportAsync(environment.Id, json, "ops@example.com");

        Assert.StartsWith("verification: Unreachable", Assert.Single(result.Entries).Reason, StringComparison.Ordinal);
        Assert.True(registry.Connections >= 1);
        Assert.NotNull(provider.GetRequiredService<DockerConfigImporter>());
    }

    [Fact]
    public void UseRegistryVerification_InvalidOptions_FailAtStartWithWhatToFix()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseRegistryVerification(o =>
            {
                o.CertificatesDirectory = "";
                o.Timeout = TimeSpan.FromHours(1);
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(RegistryVerificationOptions), error.OptionsType);
        Assert.Contains("RegistryVerificationOptions.CertificatesDirectory is empty: give Docker's certs.d folder, for example '/etc/docker/certs.d'.", error.Failures);
        Assert.Contains("RegistryVerificationOptions.Timeout is 01:00:00: it must be at most 00:10:00, for example 30 seconds.", error.Failures);
    }

    [Fact]
    public void UseDockerConfigInterop_CalledTwice_BothConfigurationsAppliedValidatorsOnce()
    {
        var services = new ServiceCollection();
        services.AddRegistries()
            .UseDockerConfigInterop(o => o.HelperDirectories.Add("/opt/first"))
            .UseDockerConfigInterop(o => o.HelperDirectories.Add("/opt/second"))
            .UseRegistryVerification()
            .UseRegistryVerification(o => o.Timeout = TimeSpan.FromSeconds(5));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(["/opt/first", "/opt/second"], provider.GetRequiredService<IOptions<DockerConfigImportOptions>>().Value.HelperDirectories);
        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<RegistryVerificationOptions>>().Value.Timeout);
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IValidateOptions<DockerConfigImportOptions>)));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<RegistryVerificationOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(DockerConfigImporter));
    }

    [Fact]
    public void UseDockerConfigInterop_UserRegistrations_AreKept()
    {
        var service = new RegistryService(new InMemoryRegistryStore());
        var exporter = new DockerConfigExporter(service.As("alice"));
        var verifier = Domain.Verifier();
        var services = new ServiceCollection();
        services.AddSingleton(exporter);
        services.AddSingleton(verifier);
        services.AddRegistries().UseDockerConfigInterop().UseRegistryVerification();
        using var provider = services.BuildServiceProvider();

        Assert.Same(exporter, provider.GetRequiredService<DockerConfigExporter>());
        Assert.Same(verifier, provider.GetRequiredService<RegistryCredentialVerifier>());
    }

    private sealed class CurrentCaller
    {
        public string? Name { get; set; }
    }
}
