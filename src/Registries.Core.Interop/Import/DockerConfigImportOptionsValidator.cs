using System.Globalization;
using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

/// <summary>The rules of <see cref="DockerConfigImportOptions"/>, for dependency injection (at start) and for the
/// importer's constructor alike, so both refuse the same options with the same words.</summary>
internal sealed class DockerConfigImportOptionsValidator : IValidateOptions<DockerConfigImportOptions>
{
    public ValidateOptionsResult Validate(string? name, DockerConfigImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>(OptionRules.Timeout("DockerConfigImportOptions.HelperTimeout", options.HelperTimeout, DockerConfigImportOptions.MaxHelperTimeout, "10 seconds"));
        for (var i = 0; i < options.HelperDirectories.Count; i++)
        {
            var folder = options.HelperDirectories[i];
            var where = "DockerConfigImportOptions.HelperDirectories[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (string.IsNullOrWhiteSpace(folder))
            {
                problems.Add($"{where} is empty: give the absolute folder that holds docker-credential-* helpers, for example '/usr/local/bin', or remove the entry.");
            }
            else if (folder.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(folder))
            {
                problems.Add($"{where} is '{folder}', not an absolute folder: a relative one depends on the current folder, where anyone could plant a helper. Give an absolute path, for example '{Path.Combine("/", "usr", "local", "bin")}'.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>The rule that needs more than the options: <see cref="DockerConfigImportOptions.Verify"/> needs a verifier.</summary>
    internal static string VerifierMissing(bool underDependencyInjection) => underDependencyInjection
        ? "DockerConfigImportOptions.Verify is true but no RegistryCredentialVerifier is registered: call UseRegistryVerification() on the registries builder as well, or set Verify to false."
        : "DockerConfigImportOptions.Verify is true but no RegistryCredentialVerifier was given: pass one to the DockerConfigImporter constructor, or set Verify to false.";
}
