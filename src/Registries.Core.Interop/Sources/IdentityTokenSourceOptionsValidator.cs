using System.Globalization;
using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

/// <summary>The rules of <see cref="IdentityTokenSourceOptions"/>, for dependency injection (at start) and for the
/// source's constructor alike.</summary>
internal sealed class IdentityTokenSourceOptionsValidator : IValidateOptions<IdentityTokenSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityTokenSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.CertificatesDirectory) || options.CertificatesDirectory.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add("IdentityTokenSourceOptions.CertificatesDirectory is empty or holds a NUL character: give Docker's certs.d folder, for example '/etc/docker/certs.d'.");
        }

        problems.AddRange(OptionRules.Timeout("IdentityTokenSourceOptions.Timeout", options.Timeout, IdentityTokenSourceOptions.MaxTimeout, "30 seconds"));
        if (options.MaxResponseBytes is < IdentityTokenSourceOptions.MinResponseBytes or > IdentityTokenSourceOptions.MaxResponseBytesLimit)
        {
            problems.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"IdentityTokenSourceOptions.MaxResponseBytes is {options.MaxResponseBytes}: it must be from {IdentityTokenSourceOptions.MinResponseBytes} to {IdentityTokenSourceOptions.MaxResponseBytesLimit}, for example 65536."));
        }

        if (string.IsNullOrEmpty(options.ClientId) || options.ClientId.Length > 64 || options.ClientId.Any(c => c is < '!' or > '~'))
        {
            problems.Add("IdentityTokenSourceOptions.ClientId must be 1 to 64 printable ASCII characters without spaces, for example 'registries-core'.");
        }

        if (options.InsecureRegistries.Contains(null!))
        {
            problems.Add("IdentityTokenSourceOptions.InsecureRegistries contains null: add only addresses, for example RegistryAddress.Parse(\"10.0.0.5:5000\").");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
