using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>A cancelled operation writes nothing; a completed one says in the log what it wrote.</summary>
public sealed class InsecureRegistryCancellationTests : IDisposable
{
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _temp = HostLayout.Create();

    public void Dispose() => _temp.Dispose();

    private string DaemonJson => _temp.HostOptions().DaemonJsonPath;

    private string Defaults => _temp.HostOptions().DockerDefaultsPath;

    private void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private (byte[] Bytes, DateTime Written)[] Snapshot() => [Read(DaemonJson), Read(Defaults)];

    private static (byte[] Bytes, DateTime Written) Read(string path) => (File.ReadAllBytes(path), File.GetLastWriteTimeUtc(path));

    [Fact]
    public async Task AddAsync_CancelledBeforeItWrites_LeavesTheFilesUntouched()
    {
        Write(DaemonJson, "{\"debug\": true}");
        Write(Defaults, "# nothing\n");
        var before = Snapshot();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _temp.Configurator().AddAsync(Address, cancellationToken: cancelled.Token));

        var after = Snapshot();
        for (var i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i].Bytes, after[i].Bytes);
            Assert.Equal(before[i].Written, after[i].Written);
        }

        // No temporary file was left beside them either.
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(DaemonJson)!));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Defaults)!));
    }

    [Fact]
    public async Task AddAsync_CancelledWithoutFiles_CreatesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _temp.Configurator(InsecureRegistryTarget.DockerDefaults).AddAsync(Address, cancellationToken: cancelled.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task RemoveAsync_CancelledBeforeItWrites_LeavesBothFilesUntouched()
    {
        Write(DaemonJson, "{\"insecure-registries\": [\"registry.example.com:5000\"]}");
        Write(Defaults, "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n");
        var before = Snapshot();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _temp.Configurator().RemoveAsync(Address, cancellationToken: cancelled.Token));

        Assert.Equal(before.Select(b => b.Bytes), Snapshot().Select(a => a.Bytes));
        Assert.True(await _temp.Configurator().IsConfiguredAsync(Address));
    }

    [Fact]
    public async Task IsConfiguredAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _temp.Configurator().IsConfiguredAsync(Address, cancelled.Token));
    }

    [Fact]
    public async Task AddAsync_Written_LogsThePathAndTheRestartOnceAndNothingInADryRunOrWhenUnchanged()
    {
        var collector = new FakeLogCollector();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(new FakeLoggerProvider(collector)));
        var configurator = new InsecureRegistryConfigurator(Options.Create(_temp.HostOptions()), factory);

        await configurator.AddAsync(Address, dryRun: true);
        Assert.Empty(collector.GetSnapshot());

        await configurator.AddAsync(Address);
        await configurator.AddAsync(Address);

        var record = Assert.Single(collector.GetSnapshot());
        Assert.Equal(DaemonJson, record.StructuredState!.Single(p => p.Key == "Path").Value);
        Assert.Equal("registry.example.com:5000", record.StructuredState!.Single(p => p.Key == "Address").Value);
        Assert.Contains("Created", record.Message, StringComparison.Ordinal);
    }
}
