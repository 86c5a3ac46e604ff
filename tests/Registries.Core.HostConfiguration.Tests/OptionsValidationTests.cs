using Microsoft.Extensions.Options;

namespace Registries.Core.HostConfiguration.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public void DockerHostOptions_Defaults_AreTheStandardLocations()
    {
        var options = new DockerHostOptions();

        Assert.Equal("/etc/docker/daemon.json", options.DaemonJsonPath);
        Assert.Equal("/etc/default/docker", options.DockerDefaultsPath);
        Assert.Equal("/etc/docker/certs.d", options.CertificatesDirectory);
        Assert.Equal(DockerHostOptions.DefaultCertificatesDirectory, options.CertificatesDirectory);
        Assert.Null(options.CaBundlePath);
        Assert.Equal(InsecureRegistryTarget.Auto, options.InsecureRegistryTarget);
        Assert.Equal(TimeSpan.FromSeconds(15), options.ConnectTimeout);
        Assert.True(new DockerHostOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
    }

    [Fact]
    public void InsecureRegistryConfigurator_BadOptions_ThrowOptionsValidationException()
    {
        Assert.Throws<OptionsValidationException>(() => new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { DaemonJsonPath = string.Empty })));
        Assert.Throws<OptionsValidationException>(() => new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { DockerDefaultsPath = string.Empty })));
        Assert.Throws<OptionsValidationException>(() => new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions { InsecureRegistryTarget = (InsecureRegistryTarget)42 })));
    }

    [Fact]
    public void RegistryCertificateInstaller_BadOptions_ThrowOptionsValidationException()
    {
        Assert.Throws<OptionsValidationException>(() => new RegistryCertificateInstaller(Options.Create(new DockerHostOptions { CertificatesDirectory = string.Empty })));
        Assert.Throws<OptionsValidationException>(() => new RegistryCertificateInstaller(Options.Create(new DockerHostOptions { CaBundlePath = string.Empty })));
        Assert.Throws<OptionsValidationException>(() => new RegistryCertificateInstaller(Options.Create(new DockerHostOptions { ConnectTimeout = TimeSpan.Zero })));
    }

    public static TheoryData<string, Action<DockerHostOptions>, string> Invalid() => new()
    {
        { "empty daemon.json", o => o.DaemonJsonPath = string.Empty, "DockerHostOptions.DaemonJsonPath is empty; give an absolute path, for example '/etc/docker/daemon.json'" },
        { "null defaults", o => o.DockerDefaultsPath = null!, "DockerHostOptions.DockerDefaultsPath is null; give an absolute path" },
        { "blank certs.d", o => o.CertificatesDirectory = "  ", "DockerHostOptions.CertificatesDirectory is empty" },
        { "relative daemon.json", o => o.DaemonJsonPath = "etc/daemon.json", "DockerHostOptions.DaemonJsonPath is 'etc/daemon.json', a relative path; give an absolute path" },
        { "relative certs.d", o => o.CertificatesDirectory = "./certs.d", "DockerHostOptions.CertificatesDirectory is './certs.d', a relative path" },
        { "NUL in defaults", o => o.DockerDefaultsPath = "/etc/default/doc\0ker", "DockerHostOptions.DockerDefaultsPath contains a NUL character" },
        { "empty bundle", o => o.CaBundlePath = string.Empty, "DockerHostOptions.CaBundlePath is empty; give an absolute path, or null for none" },
        { "relative bundle", o => o.CaBundlePath = "ca.crt", "DockerHostOptions.CaBundlePath is 'ca.crt', a relative path" },
        { "undefined target", o => o.InsecureRegistryTarget = (InsecureRegistryTarget)3, "is not one of Auto, DaemonJson, DockerDefaults; pick one of them" },
        { "zero timeout", o => o.ConnectTimeout = TimeSpan.Zero, "DockerHostOptions.ConnectTimeout is 00:00:00; give a positive duration of at most 01:00:00" },
        { "negative timeout", o => o.ConnectTimeout = Timeout.InfiniteTimeSpan, "give a positive duration" },
        { "timeout too long", o => o.ConnectTimeout = TimeSpan.FromHours(2), "DockerHostOptions.ConnectTimeout is 02:00:00; give a positive duration of at most 01:00:00" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Constructors_InvalidOptions_ThrowOptionsValidationExceptionSayingWhatToFix(string why, Action<DockerHostOptions> configure, string expected)
    {
        var options = new DockerHostOptions();
        configure(options);

        var configurator = Assert.Throws<OptionsValidationException>(() => new InsecureRegistryConfigurator(Options.Create(options)));
        var installer = Assert.Throws<OptionsValidationException>(() => new RegistryCertificateInstaller(Options.Create(options)));

        foreach (var e in new[] { configurator, installer })
        {
            Assert.Equal(typeof(DockerHostOptions), e.OptionsType);
            Assert.True(e.Failures.Any(f => f.Contains(expected, StringComparison.Ordinal)), $"{why}: {e.Message}");
        }
    }

    [Fact]
    public void Validator_SeveralProblems_ReportsEachOfThem()
    {
        var result = new DockerHostOptionsValidator().Validate(
            Options.DefaultName,
            new DockerHostOptions { DaemonJsonPath = "daemon.json", CertificatesDirectory = string.Empty, ConnectTimeout = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void Constructors_NullOptions_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new InsecureRegistryConfigurator(null!));
        Assert.Throws<ArgumentNullException>(() => new RegistryCertificateInstaller(null!));
        Assert.Throws<ArgumentNullException>(() => new InsecureRegistryConfigurator(Options.Create<DockerHostOptions>(null!)));
    }

    [Fact]
    public void Constructors_OptionsChangedAfterwards_KeepTheValidatedValues()
    {
        var options = new DockerHostOptions();
        var installer = new RegistryCertificateInstaller(Options.Create(options));

        options.CertificatesDirectory = "relative";

        Assert.Equal("/etc/docker/certs.d/registry.example.com:5000", installer.GetCertificateDirectory(RegistryAddress.Parse("registry.example.com:5000")));
    }

    [Fact]
    public async Task Methods_NullAddress_ThrowArgumentNullException()
    {
        var standard = Options.Create(new DockerHostOptions());
        await Assert.ThrowsAsync<ArgumentNullException>(() => new InsecureRegistryConfigurator(standard).AddAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => new InsecureRegistryConfigurator(standard).RemoveAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => new InsecureRegistryConfigurator(standard).IsConfiguredAsync(null!));
        Assert.Throws<ArgumentNullException>(() => new RegistryCertificateInstaller(standard).GetCertificateDirectory(null!));
    }
}
