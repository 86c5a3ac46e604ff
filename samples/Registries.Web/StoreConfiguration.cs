using Registries.Core.DependencyInjection;
using Registries.Core.FileStore;
using Registries.Core.Storage;

namespace Registries.Web;

/// <summary>Chooses the store from configuration: PostgreSQL when <c>ConnectionStrings:Registries</c> is set, else the file store.</summary>
internal static class StoreConfiguration
{
    /// <summary>The folder for the store file and key by default: the user's data folder (<c>~/.local/share/Registries.Web</c> on Linux).</summary>
    public static string DefaultDataDirectory()
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);

        // No home folder (a bare service account): beside the program rather than the current folder, which may be anything.
        return Path.Combine(string.IsNullOrEmpty(data) ? AppContext.BaseDirectory : data, "Registries.Web");
    }

    /// <summary>Registers the store that configuration names, with its health checks (tagged <c>ready</c>).</summary>
    /// <param name="builder">The library's builder.</param>
    /// <param name="configuration">The application's configuration.</param>
    /// <returns>The builder.</returns>
    public static IRegistriesBuilder UseConfiguredStore(this IRegistriesBuilder builder, IConfiguration configuration)
    {
        var keyFile = configuration["Registries:KeyFile"];
        var connectionString = configuration.GetConnectionString("Registries");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            // Every instance over the database must decrypt what the others wrote: they share one key file.
            var keyPath = Path.GetFullPath(string.IsNullOrWhiteSpace(keyFile) ? Path.Combine(DefaultDataDirectory(), "store.key") : keyFile);
            builder.Services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(keyPath));
            return builder.UsePostgreSql(connectionString).AddPostgreSqlHealthChecks();
        }

        var storePath = configuration["Registries:StorePath"];
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(storePath) ? Path.Combine(DefaultDataDirectory(), "registries.json") : storePath);
        return builder.UseFileStore(options =>
        {
            options.Path = path;
            if (!string.IsNullOrWhiteSpace(keyFile))
            {
                options.KeyPath = Path.GetFullPath(keyFile);
            }
        }).AddFileStoreHealthCheck();
    }
}
