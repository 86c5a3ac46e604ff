using Microsoft.Extensions.Options;

namespace Registries.Core.FileStore.Tests;

/// <summary>Stores over a given protector, built the way an application without DI builds them.</summary>
internal static class FileStores
{
    public static FileRegistryStore Over(string path, ISecretProtector protector, TimeSpan? lockTimeout = null)
        => new(Options.Create(new FileStoreOptions { Path = path, LockTimeout = lockTimeout ?? FileStoreOptions.DefaultLockTimeout }), protector);
}
