using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.FileStore;
using Registries.Core.Storage.Conformance;

namespace Registries.Core.DataProtection.Tests;

/// <summary>The whole store conformance suite, run against the file store whose passwords go through Data Protection.</summary>
public sealed class FileStoreOverDataProtectionConformanceTests : RegistryStoreConformanceTests, IDisposable
{
    private readonly TestDirectory _folder = new("registries-dataprotection-conformance-");
    private readonly List<ServiceProvider> _instances = [];
    private int _stores;

    // Every write flushes to disk: fewer model runs keep the suite quick.
    protected override int ModelIterations => 20;

    public void Dispose()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }

        _folder.Dispose();
    }

    protected override ValueTask<IRegistryStore> CreateStoreAsync()
        => ValueTask.FromResult<IRegistryStore>(Over(_folder.Combine($"store{Interlocked.Increment(ref _stores)}.json")));

    // A second application instance: its own service provider and Data Protection, over the same file and key ring.
    protected override ValueTask<IRegistryStore> OpenSecondInstanceAsync(IRegistryStore first)
        => ValueTask.FromResult<IRegistryStore>(Over(((FileRegistryStore)first).FilePath));

    private FileRegistryStore Over(string path)
    {
        var instance = Instances.Start(_folder.Combine("keys"));
        lock (_instances)
        {
            _instances.Add(instance);
        }

        return new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), instance.Protector());
    }
}
