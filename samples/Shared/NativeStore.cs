using Microsoft.Extensions.Options;
using Npgsql;
using Registries.Core;
using Registries.Core.FileStore;
using Registries.Core.PostgreSql;
using Registries.Core.Storage;

namespace Registries.Samples.Shared;

// The store of the native credential helper and kubelet provider, built with constructors (no DI container: this runs
// at every pull): the file store, or the PostgreSQL store over a slim Npgsql data source (the types the store reads and
// writes, nothing more, which keeps the native executable small). The RegistryService over it is the library's own,
// so the answer follows exactly the rules every other path follows, with the credential sources of NativeSources.
internal sealed class NativeStore : IAsyncDisposable
{
    private readonly IAsyncDisposable? _owned;

    private NativeStore(RegistryService registries, IAsyncDisposable? owned)
    {
        Registries = registries;
        _owned = owned;
    }

    public RegistryService Registries { get; }

    // Opens the store for one answer, acting as `caller`. A file store that does not exist is refused here (reading it
    // would only say that the environment is unknown); a database is not contacted until the first read.
    public static NativeStore Open(string store, string keyFile, string caller, string reinstall)
    {
        if (!StoreLocation.IsDatabase(store))
        {
            if (!File.Exists(store))
            {
                throw new ArgumentException($"the store '{store}' does not exist: {reinstall}");
            }

            var fileStore = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = store, KeyPath = keyFile }), new KeyFileSecretProtector(keyFile));
            return new NativeStore(new RegistryService(fileStore, sources: NativeSources.Create()).As(caller), null);
        }

        var builder = new NpgsqlSlimDataSourceBuilder(StoreLocation.ConnectionString(store));
        builder.EnableArrays();
        builder.EnableJsonTypes();
        var dataSource = builder.Build();
        try
        {
            // One answer and gone: no LISTEN connection for a cache, and no migration (the helper never creates or
            // upgrades a schema; an absent one is an error that says so).
            var options = new PostgreSqlStoreOptions { MigrateOnStart = false, ResolutionCache = false };
            var databaseStore = new PostgreSqlRegistryStore(dataSource, Options.Create(options), new KeyFileSecretProtector(keyFile));
            return new NativeStore(new RegistryService(databaseStore, sources: NativeSources.Create()).As(caller), new Owned(databaseStore, dataSource));
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _owned?.DisposeAsync() ?? ValueTask.CompletedTask;

    private sealed class Owned(PostgreSqlRegistryStore store, NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await store.DisposeAsync().ConfigureAwait(false);
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
