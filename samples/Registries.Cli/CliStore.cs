using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registries.Core.DependencyInjection;
using Registries.Core.FileStore;
using Registries.Core.Storage;
using Registries.Samples.Shared;

namespace Registries.Cli;

// The CLI keeps its state in the file store (one JSON file, passwords encrypted with the key in FILE.key next to it, or
// in the file --key-file names), or in a PostgreSQL database (--store postgresql://USER@HOST:PORT/DB or a key=value
// connection string; the key in --key-file, else ~/.registries/store.key). Several CLI processes, on one host or many,
// may share one store; it is created by the first write, never by a read.
internal static class CliStore
{
    public static bool IsDatabase(string store) => StoreLocation.IsDatabase(store);

    public static void Use(IRegistriesBuilder builder, string store, string? keyFile)
    {
        if (!IsDatabase(store))
        {
            builder.UseFileStore(options =>
            {
                options.Path = store;
                options.KeyPath = keyFile;
            });
            return;
        }

        var key = keyFile ?? Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".registries", "store.key");
        builder.Services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(key));
        builder.UsePostgreSql(ConnectionString(store));
    }

    // One store on its own, chosen as --store and --key-file choose it, for the commands that work on whole stores
    // (store copy) and so need two at once, with no caller.
    public static ServiceProvider Open(string store, string? keyFile)
    {
        var services = new ServiceCollection();
        Use(services.AddRegistries(), store, keyFile);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    internal static string ConnectionString(string store) => StoreLocation.ConnectionString(store);
}
