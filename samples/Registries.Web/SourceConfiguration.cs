using Registries.Core.DependencyInjection;

namespace Registries.Web;

/// <summary>Registers the credential sources the operator allows, from configuration: <c>Registries:CredentialHelpers</c>
/// (the Docker credential helpers members may choose, an array or a comma-separated list; none by default, found in the
/// folders of <c>Registries:CredentialHelperDirectories</c>, else on PATH),
/// <c>Registries:KubeletPluginConfig</c> and <c>Registries:KubeletPluginDir</c> (a kubelet <c>CredentialProviderConfig</c>
/// and its plugins' folder; no plugins when unset), and identity tokens, which run nothing on the host; and the sources'
/// health check (tagged <c>ready</c>).</summary>
internal static class SourceConfiguration
{
    /// <summary>Registers the sources configuration allows.</summary>
    /// <param name="builder">The library's builder.</param>
    /// <param name="configuration">The application's configuration.</param>
    /// <returns>The builder.</returns>
    public static IRegistriesBuilder UseConfiguredSources(this IRegistriesBuilder builder, IConfiguration configuration)
    {
        var helpers = ListOf(configuration.GetSection("Registries:CredentialHelpers"));
        var helperDirectories = ListOf(configuration.GetSection("Registries:CredentialHelperDirectories"));
        builder.AddCredentialHelperSource(options =>
        {
            foreach (var helper in helpers)
            {
                options.AllowedHelpers.Add(helper);
            }

            // Empty: the absolute folders of PATH.
            foreach (var directory in helperDirectories)
            {
                options.HelperDirectories.Add(directory);
            }
        });

        var config = configuration["Registries:KubeletPluginConfig"];
        var directory = configuration["Registries:KubeletPluginDir"];
        if (!string.IsNullOrWhiteSpace(config) || !string.IsNullOrWhiteSpace(directory))
        {
            // Validated at start: a config without its folder, or a file that is no CredentialProviderConfig, stops the app
            // with the fix in the message.
            builder.AddKubeletPluginSource(options =>
            {
                options.ConfigFile = string.IsNullOrWhiteSpace(config) ? null : Path.GetFullPath(config);
                options.BinDirectory = string.IsNullOrWhiteSpace(directory) ? null : Path.GetFullPath(directory);
            });
        }

        // On /health/ready: each allowed helper and each kubelet plugin is present and safe to run.
        return builder.AddIdentityTokenSource().AddCredentialSourcesHealthCheck();
    }

    // An array, or one comma-separated value (as a command line or an environment variable gives it).
    private static string[] ListOf(IConfigurationSection section)
        => section.GetChildren().Any()
            ? [.. section.GetChildren().Select(c => c.Value ?? string.Empty)]
            : (section.Value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
