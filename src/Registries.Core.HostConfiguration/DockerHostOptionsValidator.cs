using System.Globalization;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;

namespace Registries.Core.HostConfiguration;

// Checked at start (ValidateOnStart), on first use of IOptions<DockerHostOptions>.Value, and by the constructors of the
// services, so that a service built without DI refuses the same options with the same words.
internal sealed class DockerHostOptionsValidator : IValidateOptions<DockerHostOptions>
{
    // A TLS handshake that takes longer than this is a registry that is not there; the bound also keeps the value
    // inside what CancellationTokenSource.CancelAfter accepts.
    internal static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, DockerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckPath(failures, nameof(DockerHostOptions.DaemonJsonPath), options.DaemonJsonPath, DockerHostOptions.DefaultDaemonJsonPath);
        CheckPath(failures, nameof(DockerHostOptions.DockerDefaultsPath), options.DockerDefaultsPath, DockerHostOptions.DefaultDockerDefaultsPath);
        CheckPath(failures, nameof(DockerHostOptions.CertificatesDirectory), options.CertificatesDirectory, DockerHostOptions.DefaultCertificatesDirectory);
        if (options.CaBundlePath is not null)
        {
            CheckPath(failures, nameof(DockerHostOptions.CaBundlePath), options.CaBundlePath, DockerHostOptions.SystemCaBundlePath, nullAllowed: true);
        }

        if (!Enum.IsDefined(options.InsecureRegistryTarget))
        {
            failures.Add($"DockerHostOptions.InsecureRegistryTarget is {options.InsecureRegistryTarget}, which is not one of {string.Join(", ", Enum.GetNames<InsecureRegistryTarget>())}; pick one of them (Auto when unsure).");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > MaxConnectTimeout)
        {
            failures.Add($"DockerHostOptions.ConnectTimeout is {options.ConnectTimeout.ToString("c", CultureInfo.InvariantCulture)}; give a positive duration of at most {MaxConnectTimeout.ToString("c", CultureInfo.InvariantCulture)}, for example 00:00:15.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Validates the options the way DI does and returns a copy the caller keeps.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its value is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    internal static DockerHostOptions ValidatedCopy(IOptions<DockerHostOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value ?? throw new ArgumentNullException(nameof(options), "IOptions<DockerHostOptions>.Value is null; give Options.Create(new DockerHostOptions()) for the standard locations.");
        ValidatedOptions.ThrowIfInvalid(value, new DockerHostOptionsValidator());
        return value.Copy();
    }

    private static void CheckPath(List<string> failures, string property, string? path, string example, bool nullAllowed = false)
    {
        var what = nullAllowed ? "an absolute path, or null for none" : "an absolute path";
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"DockerHostOptions.{property} is {(path is null ? "null" : "empty")}; give {what}, for example '{example}'.");
        }
        else if (path.Contains('\0', StringComparison.Ordinal))
        {
            failures.Add($"DockerHostOptions.{property} contains a NUL character, which no file name can hold; give {what}, for example '{example}'.");
        }
        else if (!Path.IsPathFullyQualified(path))
        {
            // A relative path would name a different file depending on the working folder of whoever runs the application.
            failures.Add($"DockerHostOptions.{property} is '{path}', a relative path; give {what}, for example '{Path.GetFullPath(path)}' or '{example}'.");
        }
    }
}
