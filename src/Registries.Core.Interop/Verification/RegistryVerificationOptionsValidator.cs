using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

/// <summary>The rules of <see cref="RegistryVerificationOptions"/>, for dependency injection (at start) and for the
/// verifier's constructor alike, so both refuse the same options with the same words.</summary>
internal sealed class RegistryVerificationOptionsValidator : IValidateOptions<RegistryVerificationOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryVerificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.CertificatesDirectory))
        {
            problems.Add("RegistryVerificationOptions.CertificatesDirectory is empty: give Docker's certs.d folder, for example '/etc/docker/certs.d'.");
        }
        else if (options.CertificatesDirectory.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add("RegistryVerificationOptions.CertificatesDirectory contains a NUL character: give Docker's certs.d folder, for example '/etc/docker/certs.d'.");
        }

        problems.AddRange(OptionRules.Timeout("RegistryVerificationOptions.Timeout", options.Timeout, RegistryVerificationOptions.MaxTimeout, "30 seconds"));
        if (options.InsecureRegistries.Contains(null!))
        {
            problems.Add("RegistryVerificationOptions.InsecureRegistries contains null: add only addresses, for example RegistryAddress.Parse(\"10.0.0.5:5000\").");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
