using Microsoft.Extensions.Options;
using Registries.Core.Interop;
using Registries.Core.Sources;

namespace Registries.Samples.Shared;

// The credential sources of the native executables, the same the registries CLI wires and from the same variables,
// built with constructors: the credential helpers named in $REGISTRIES_CREDENTIAL_HELPERS (comma-separated; none by
// default), found on PATH; the kubelet plugins of $REGISTRIES_KUBELET_PLUGIN_CONFIG in $REGISTRIES_KUBELET_PLUGIN_DIR,
// only when one of them is set; and identity tokens, which run nothing on the host. The sources are checked here, once
// per process: a helper name that is not one, or a plugin config without its folder, fails the answer with the message
// the options give (what to fix), before any entry is read.
internal static class NativeSources
{
    public const string CredentialHelpersVariable = "REGISTRIES_CREDENTIAL_HELPERS";
    public const string KubeletPluginConfigVariable = "REGISTRIES_KUBELET_PLUGIN_CONFIG";
    public const string KubeletPluginDirVariable = "REGISTRIES_KUBELET_PLUGIN_DIR";

    public static CredentialSources Create()
    {
        var helpers = new CredentialHelperSourceOptions();
        var list = System.Environment.GetEnvironmentVariable(CredentialHelpersVariable);
        if (!string.IsNullOrWhiteSpace(list))
        {
            foreach (var name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                helpers.AllowedHelpers.Add(name);
            }
        }

        var sources = new List<ICredentialSource> { new DockerCredentialHelperSource(Options.Create(helpers)) };
        var config = PathOf(KubeletPluginConfigVariable);
        var directory = PathOf(KubeletPluginDirVariable);
        if (config is not null || directory is not null)
        {
            sources.Add(new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = config, BinDirectory = directory })));
        }

        sources.Add(new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions())));
        return new CredentialSources(sources);
    }

    private static string? PathOf(string variable)
    {
        var path = System.Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);
    }
}
