namespace Registries.Core.HostConfiguration.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public void DockerHostOptions_Defaults_AreTheStandardLocations()
    {
        var options = new DockerHostOptions();

        Assert.Equal("/etc/docker/daemon.json", options.DaemonJsonPath);
        Assert.Equal("/etc/default/docker", options.DockerDefaultsPath);
        Assert.Equal("/etc/docker/certs.d", options.CertsDirectory);
        Assert.Null(options.CaBundlePath);
        Assert.Equal(InsecureRegistryTarget.Auto, options.InsecureRegistryTarget);
    }

    [Fact]
    public void InsecureRegistryConfigurator_BadOptions_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new InsecureRegistryConfigurator(new DockerHostOptions { DaemonJsonPath = string.Empty }));
        Assert.Throws<ArgumentException>(() => new InsecureRegistryConfigurator(new DockerHostOptions { DockerDefaultsPath = string.Empty }));
        Assert.Throws<ArgumentException>(() => new InsecureRegistryConfigurator(new DockerHostOptions { InsecureRegistryTarget = (InsecureRegistryTarget)42 }));
    }

    [Fact]
    public void RegistryCertificateInstaller_BadOptions_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new RegistryCertificateInstaller(new DockerHostOptions { CertsDirectory = string.Empty }));
        Assert.Throws<ArgumentException>(() => new RegistryCertificateInstaller(new DockerHostOptions { CaBundlePath = string.Empty }));
        Assert.Throws<ArgumentException>(() => new RegistryCertificateInstaller(new DockerHostOptions { ConnectTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public void Methods_NullAddress_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new InsecureRegistryConfigurator().Add(null!));
        Assert.Throws<ArgumentNullException>(() => new InsecureRegistryConfigurator().Remove(null!));
        Assert.Throws<ArgumentNullException>(() => new RegistryCertificateInstaller().GetCertificateDirectory(null!));
    }
}
