namespace Registries.Core.HostConfiguration.Tests;

/// <summary>A folder of its own for one test, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rc-hostcfg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public DockerHostOptions Options(InsecureRegistryTarget target = InsecureRegistryTarget.Auto, bool bundle = false) => new()
    {
        DaemonJsonPath = File("docker/daemon.json"),
        DockerDefaultsPath = File("default/docker"),
        CertsDirectory = File("docker/certs.d"),
        CaBundlePath = bundle ? File("ssl/ca-certificates.crt") : null,
        InsecureRegistryTarget = target,
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
