using System.CommandLine;
using Registries.Core.DependencyInjection;

namespace Registries.Cli;

// The credential sources of the CLI's container, within what the operator allowed: the credential helpers of
// --credential-helpers (else $REGISTRIES_CREDENTIAL_HELPERS; none by default), found on PATH; the kubelet plugins of the
// CredentialProviderConfig of --kubelet-plugin-config (else $REGISTRIES_KUBELET_PLUGIN_CONFIG) in the folder of
// --kubelet-plugin-dir (else $REGISTRIES_KUBELET_PLUGIN_DIR), only when a config is given; and identity tokens, which
// run nothing on the host. Nothing here comes from an entry: an entry only names one of these. A value a source gives
// is cached in this process only, so each CLI run asks its source once at most per value.
internal static class CliSources
{
    public static void Use(IRegistriesBuilder builder, GlobalOptions globals, ParseResult parseResult)
    {
        var helpers = globals.AllowedCredentialHelpers(parseResult);
        builder.AddCredentialHelperSource(options =>
        {
            foreach (var helper in helpers)
            {
                options.AllowedHelpers.Add(helper);
            }
        });

        var config = globals.KubeletPluginConfigPath(parseResult);
        var directory = globals.KubeletPluginDirectory(parseResult);
        // A config without its folder (or the other way round) is said when a source is first needed, naming the option
        // to give: commands that resolve nothing keep working while the operator fixes it.
        if (config is not null || directory is not null)
        {
            builder.AddKubeletPluginSource(options =>
            {
                options.ConfigFile = config;
                options.BinDirectory = directory;
            });
        }

        builder.AddIdentityTokenSource();
    }
}
