using System.Globalization;
using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

/// <summary>The rules of <see cref="CredentialHelperSourceOptions"/>, for dependency injection (at start) and for the
/// source's constructor alike.</summary>
internal sealed class CredentialHelperSourceOptionsValidator : IValidateOptions<CredentialHelperSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, CredentialHelperSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>(OptionRules.Timeout("CredentialHelperSourceOptions.Timeout", options.Timeout, CredentialHelperSourceOptions.MaxTimeout, "10 seconds"));
        for (var i = 0; i < options.AllowedHelpers.Count; i++)
        {
            var helper = options.AllowedHelpers[i];
            if (!CredentialSource.IsValidName(helper))
            {
                problems.Add($"CredentialHelperSourceOptions.AllowedHelpers[{i.ToString(CultureInfo.InvariantCulture)}] is '{OptionRules.Printable(helper ?? string.Empty)}', not a helper name: give the part after docker-credential-, for example 'ecr-login' (1 to 64 letters, digits, '.', '_' and '-', never a path).");
            }
        }

        problems.AddRange(OptionRules.AbsoluteFolders("CredentialHelperSourceOptions.HelperDirectories", options.HelperDirectories, "docker-credential-* helpers"));
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
