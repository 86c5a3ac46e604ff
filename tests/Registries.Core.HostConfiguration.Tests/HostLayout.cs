using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>A Docker host's configuration files laid out inside a <see cref="TestDirectory"/>, and the services over them.</summary>
internal static class HostLayout
{
    public static TestDirectory Create() => new("rc-hostcfg-");

    public static DockerHostOptions HostOptions(this TestDirectory directory, InsecureRegistryTarget target = InsecureRegistryTarget.Auto, bool bundle = false) => new()
    {
        DaemonJsonPath = directory.Combine("docker/daemon.json"),
        DockerDefaultsPath = directory.Combine("default/docker"),
        CertificatesDirectory = directory.Combine("docker/certs.d"),
        CaBundlePath = bundle ? directory.Combine("ssl/ca-certificates.crt") : null,
        InsecureRegistryTarget = target,
    };

    public static InsecureRegistryConfigurator Configurator(this TestDirectory directory, InsecureRegistryTarget target = InsecureRegistryTarget.Auto)
        => new(Options.Create(directory.HostOptions(target)));

    public static RegistryCertificateInstaller Installer(this TestDirectory directory, bool bundle = false)
        => new(Options.Create(directory.HostOptions(bundle: bundle)));
}
