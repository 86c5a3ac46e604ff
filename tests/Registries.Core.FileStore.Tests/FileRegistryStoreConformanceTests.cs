using Registries.Core.Storage.Conformance;

namespace Registries.Core.FileStore.Tests;

/// <summary>The whole store conformance suite, run against <see cref="FileRegistryStore"/> as an outside implementer runs it.</summary>
public sealed class FileRegistryStoreConformanceTests : RegistryStoreConformanceTests, IDisposable
{
    private readonly TestDirectory _folder = new("registries-filestore-");
    private int _stores;

    // Every write flushes to disk: fewer model runs keep the suite quick.
    protected override int ModelIterations => 20;

    public void Dispose() => _folder.Dispose();

    // A new file each time: the model run asks for a fresh store per sample.
    protected override ValueTask<IRegistryStore> CreateStoreAsync()
        => ValueTask.FromResult<IRegistryStore>(FileRegistryStore.Open(_folder.Combine($"store{Interlocked.Increment(ref _stores)}.json")));

    // A second application instance: a new object over the same file and key file, sharing nothing in memory.
    protected override ValueTask<IRegistryStore> OpenSecondInstanceAsync(IRegistryStore first)
        => ValueTask.FromResult<IRegistryStore>(FileRegistryStore.Open(((FileRegistryStore)first).FilePath));

    // What is at rest: the store file and its key file, as text.
    protected override async ValueTask<string?> ReadPersistedTextAsync(IRegistryStore store)
    {
        var path = ((FileRegistryStore)store).FilePath;
        return await File.ReadAllTextAsync(path) + "\n" + await File.ReadAllTextAsync(path + ".key");
    }
}
