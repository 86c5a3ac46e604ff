using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

/// <summary>The rules of <see cref="KubeletPluginSourceOptions"/>, for dependency injection (at start) and for the
/// source's constructor alike; the config file is read and checked too.</summary>
internal sealed class KubeletPluginSourceOptionsValidator : IValidateOptions<KubeletPluginSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, KubeletPluginSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>(OptionRules.Timeout("KubeletPluginSourceOptions.Timeout", options.Timeout, KubeletPluginSourceOptions.MaxTimeout, "30 seconds"));
        if (OptionRules.AbsolutePath("KubeletPluginSourceOptions.BinDirectory", options.BinDirectory, "the absolute folder of the plugins, as the kubelet's --image-credential-provider-bin-dir, for example '/usr/libexec/kubernetes/kubelet-plugins/credential-provider/exec'") is { } bin)
        {
            problems.Add(bin);
        }

        if (OptionRules.AbsolutePath("KubeletPluginSourceOptions.ConfigFile", options.ConfigFile, "the absolute path of the CredentialProviderConfig file, as the kubelet's --image-credential-provider-config, for example '/etc/kubernetes/credential-provider-config.yaml'") is { } config)
        {
            problems.Add(config);
        }
        else if (Load(options.ConfigFile!, out _) is { } invalid)
        {
            problems.Add(invalid);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Reads the config file; returns what is wrong with it, or <see langword="null"/>.</summary>
    internal static string? Load(string path, out CredentialProviderConfig? config)
    {
        config = null;
        try
        {
            config = CredentialProviderConfig.Load(path);
            return null;
        }
        catch (ConfigSyntaxException ex)
        {
            return $"KubeletPluginSourceOptions.ConfigFile '{OptionRules.Printable(path)}' is not a valid CredentialProviderConfig: {ex.Message}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"KubeletPluginSourceOptions.ConfigFile: {ex.Message}";
        }
    }
}
