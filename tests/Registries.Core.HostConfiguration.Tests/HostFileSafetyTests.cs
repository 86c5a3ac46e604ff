using System.Diagnostics;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>Every file the package reads: a FIFO never blocks, a device or a huge file never exhausts memory, a folder says so.</summary>
[Trait("Category", "Integration")]
public sealed class HostFileSafetyTests : IDisposable
{
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _temp = HostLayout.Create();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Files => ["daemon.json", "defaults", "ca.crt", "bundle"];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Read_Fifo_RefusedAtOnceEvenInADryRun(string which)
    {
        var path = PathOf(which);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var mkfifo = await Processes.RunAsync("mkfifo", [path]);
        Assert.True(mkfifo.ExitCode == 0, mkfifo.ToString());

        var e = await RefusedWithinAsync(which, TimeSpan.FromSeconds(10));

        Assert.Equal(DockerHostConfigurationError.UnsupportedFile, e.Error);
        Assert.Equal(path, e.FilePath);
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Read_DevZeroThroughALink_RefusedAsADevice(string which)
    {
        var path = PathOf(which);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, "/dev/zero");

        var e = await RefusedWithinAsync(which, TimeSpan.FromSeconds(10));

        Assert.Equal(DockerHostConfigurationError.UnsupportedFile, e.Error);
        Assert.Contains("character device", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Read_Directory_SaysItIsADirectory(string which)
    {
        Directory.CreateDirectory(PathOf(which));

        var e = await RefusedWithinAsync(which, TimeSpan.FromSeconds(10));

        Assert.Equal(DockerHostConfigurationError.UnsupportedFile, e.Error);
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Read_HugeSparseFile_RefusedWithTheLimit(string which)
    {
        var path = PathOf(which);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var stream = File.Create(path))
        {
            // Sparse: 4 GiB of nothing, costing no disk.
            stream.SetLength(4L << 30);
        }

        var e = await RefusedWithinAsync(which, TimeSpan.FromSeconds(10));

        Assert.Equal(DockerHostConfigurationError.UnsupportedFile, e.Error);
        Assert.Contains("more than", e.Message, StringComparison.Ordinal);
        Assert.Equal(4L << 30, new FileInfo(path).Length);
    }

    [Fact]
    public void Read_FileAtTheLimit_IsRead()
    {
        var path = _temp.Combine("limit");
        File.WriteAllBytes(path, new byte[HostFile.ConfigurationFileLimit]);

        Assert.Equal(HostFile.ConfigurationFileLimit, HostFile.ReadIfExists(path)!.Length);
        File.AppendAllText(path, "x");
        Assert.Equal(DockerHostConfigurationError.UnsupportedFile, Assert.Throws<DockerHostConfigurationException>(() => HostFile.ReadIfExists(path)).Error);
    }

    [Fact]
    public void Read_Missing_IsNullAndDanglingLinkToo()
    {
        Assert.Null(HostFile.ReadIfExists(_temp.Combine("none")));
        File.CreateSymbolicLink(_temp.Combine("dangling"), _temp.Combine("nowhere"));
        Assert.Null(HostFile.ReadIfExists(_temp.Combine("dangling")));
    }

    private string PathOf(string which) => which switch
    {
        "daemon.json" => _temp.HostOptions().DaemonJsonPath,
        "defaults" => _temp.HostOptions().DockerDefaultsPath,
        "ca.crt" => Path.Combine(_temp.HostOptions().CertificatesDirectory, TestServices.Require().Registry, "ca.crt"),
        _ => _temp.HostOptions(bundle: true).CaBundlePath!,
    };

    // Runs the operation that reads the file on another thread, so that a read that blocks fails the test instead of hanging it.
    private async Task<DockerHostConfigurationException> RefusedWithinAsync(string which, TimeSpan limit)
    {
        Func<Task> operation = which switch
        {
            "daemon.json" or "defaults" => () => _temp.Configurator().AddAsync(Address, dryRun: true),
            _ => () => InstallAgainstLocalTlsAsync(which == "bundle"),
        };

        var stopwatch = Stopwatch.StartNew();
        var task = Task.Run(operation);
        var finished = await Task.WhenAny(task, Task.Delay(limit));
        Assert.True(finished == task, $"Reading the {which} did not finish within {limit.TotalSeconds} s: it blocks.");
        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => task);
        Assert.True(stopwatch.Elapsed < limit);
        return e;
    }

    // The certificate files are read after the real test registry presented its chain.
    private async Task InstallAgainstLocalTlsAsync(bool bundle)
        => await _temp.Installer(bundle: bundle)
            .InstallAsync(RegistryAddress.Parse(TestServices.Require().Registry), appendToBundle: bundle, dryRun: true);
}
