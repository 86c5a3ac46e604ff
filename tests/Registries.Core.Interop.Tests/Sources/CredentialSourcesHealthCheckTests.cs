using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Registries.Core.DependencyInjection;

namespace Registries.Core.Interop.Tests.Sources;

/// <summary>The credential sources' health check over folders of the test's own: a helper or plugin present and fine,
/// missing, or replaceable by other users; a kubelet config that stopped parsing; no source at all.</summary>
public sealed class CredentialSourcesHealthCheckTests : IDisposable
{
    private const string Name = "registries-credential-sources";
    private const string Helper = "#!/bin/sh\necho '{\"Username\":\"u\",\"Secret\":\"CANARY-health-s3cret\"}'\n";
    private readonly ProgramFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Check_NoSourceRegistered_Healthy()
    {
        var report = await CheckAsync(_ => { });

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Contains("No credential helper or kubelet plugin source", report.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AllowedHelperPresentAndPrivate_Healthy_AndTheHelperIsNotRun()
    {
        _folder.Write("docker-credential-fake", "#!/bin/sh\ntouch \"$(dirname \"$0\")/ran\"\n");

        var report = await CheckAsync(b => b.AddCredentialHelperSource(o => Helpers(o, "fake")));

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.False(File.Exists(_folder.File_("ran")));
    }

    [Fact]
    public async Task Check_AllowedHelperMissing_UnhealthyNamingTheProgramAndTheFolder()
    {
        _folder.Write("docker-credential-fake", Helper);

        var report = await CheckAsync(b => b.AddCredentialHelperSource(o => Helpers(o, "fake", "absent")));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("docker-credential-absent was not found in " + _folder.Path, report.Description, StringComparison.Ordinal);
        Assert.Contains("install it there", report.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("docker-credential-fake", report.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_HelperWritableByItsGroup_UnhealthySayingChmod_WithoutItsSecret()
    {
        var helper = _folder.Write("docker-credential-fake", Helper);
        File.SetUnixFileMode(helper, (UnixFileMode)Convert.ToInt32("775", 8));

        var report = await CheckAsync(b => b.AddCredentialHelperSource(o => Helpers(o, "fake")));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains($"'{helper}' is writable by other users", report.Description, StringComparison.Ordinal);
        Assert.Contains("chmod go-w", report.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", report.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_KubeletPluginPresent_Healthy_Missing_OrConfigBrokenSinceTheStart_UnhealthyNamingIt()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_folder.Path, "bin")).FullName;
        File.SetUnixFileMode(bin, (UnixFileMode)Convert.ToInt32("755", 8));
        var plugin = Path.Combine(bin, "plugin");
        await File.WriteAllTextAsync(plugin, "#!/bin/sh\nexit 1\n");
        File.SetUnixFileMode(plugin, (UnixFileMode)Convert.ToInt32("755", 8));
        var config = _folder.WriteFile("config.yaml", KubeletPluginFixture.Yaml("plugin", "credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], []));
        using var provider = Provider(b => b.AddKubeletPluginSource(o =>
        {
            o.ConfigFile = config;
            o.BinDirectory = bin;
        }));
        var health = provider.GetRequiredService<HealthCheckService>();

        var healthy = await health.CheckHealthAsync();
        File.Delete(plugin);
        var missing = await health.CheckHealthAsync();
        await File.WriteAllTextAsync(config, "providers: [");
        var broken = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, missing.Status);
        Assert.Contains($"the kubelet plugin 'plugin' was not found in {bin}", missing.Entries[Name].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, broken.Status);
        Assert.Contains($"'{config}' is not a valid CredentialProviderConfig", broken.Entries[Name].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ManyLongProblems_BoundedWithHowManyWereLeftOff_ControlCharactersReplaced()
    {
        var problems = Enumerable.Range(0, 100).Select(i => $"problem {i}\n" + new string('x', 200)).ToArray();

        var text = CredentialSourcesHealthCheck.Describe(problems);

        Assert.True(text.Length <= 2100, $"{text.Length} characters");
        Assert.EndsWith("more)", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
        Assert.StartsWith("problem 0?", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_TaggedReadyWithTheDefaultTimeout_Once()
    {
        var services = new ServiceCollection();
        services.AddRegistries().AddCredentialSourcesHealthCheck().AddCredentialSourcesHealthCheck();
        using var provider = services.BuildServiceProvider();

        var registration = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);

        Assert.Equal(Name, registration.Name);
        Assert.Equal(["ready"], registration.Tags);
        Assert.Equal(TimeSpan.FromSeconds(5), registration.Timeout);
        Assert.Equal(HealthStatus.Unhealthy, registration.FailureStatus);
    }

    private void Helpers(CredentialHelperSourceOptions options, params string[] helpers)
    {
        options.HelperDirectories.Add(_folder.Path);
        foreach (var helper in helpers)
        {
            options.AllowedHelpers.Add(helper);
        }
    }

    private static ServiceProvider Provider(Action<IRegistriesBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var builder = services.AddRegistries().AddCredentialSourcesHealthCheck();
        configure(builder);
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> CheckAsync(Action<IRegistriesBuilder> configure)
    {
        using var provider = Provider(configure);
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[Name];
    }
}
