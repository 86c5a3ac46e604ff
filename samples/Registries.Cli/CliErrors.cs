using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.HostConfiguration;
using Registries.Core.Interop;

namespace Registries.Cli;

// Turns an exception into the exit code of DESIGN.md section 4 and one line for stderr. The messages of the
// library's exceptions already say what was wrong and how to fix it, and never hold a secret; they may quote what a
// user or a server gave (a name, an address), so the line is escaped for the terminal (TerminalText).
internal static partial class CliErrors
{
    public static int ExitCodeOf(Exception exception) => exception switch
    {
        ImagePullException { Error: ImagePullError.Denied } => ExitCodes.Refused,
        DockerHostConfigurationException { Error: DockerHostConfigurationError.FingerprintMismatch } => ExitCodes.Refused,
        RegistryRuleException => ExitCodes.Refused,

        // The registry said the username or password is wrong: the user's input, not an outside failure.
        RegistryVerificationException { Result.Outcome: RegistryVerificationOutcome.Invalid } => ExitCodes.BadInput,

        // The CLI always plugs in the user of --as; the library knows no caller only when that name is blank.
        MissingCallerException => ExitCodes.BadInput,
        EnvironmentNotFoundException or RegistryNotFoundException => ExitCodes.BadInput,
        AmbiguousEnvironmentNameException or DuplicateEnvironmentNameException => ExitCodes.BadInput,
        ArgumentException or FormatException or OptionsValidationException or DockerConfigFormatException => ExitCodes.BadInput,
        _ => ExitCodes.Failure,
    };

    // Removing a policy rule or a mirror that is not there names something unknown, as an unknown id does: bad input
    // (exit 2) whose message lists what there is, not a refusal by the rules. A permission or orchestration refusal (the
    // exception's subclasses) stays one.
    public static async Task<T> NamingUnknownAsync<T>(Func<ValueTask<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (RegistryRuleException exception) when (exception.GetType() == typeof(RegistryRuleException))
        {
            throw new ArgumentException(exception.Message, exception);
        }
    }

    public static string MessageOf(Exception exception)
    {
        var message = exception switch
        {
            ArgumentException argument => WithoutParameterName(argument),
            MissingCallerException => $"no user to act as: give --as USER (not empty), or set ${GlobalOptions.UserVariable}.",
            RegistriesException or FormatException => exception.Message,
            OptionsValidationException options => string.Join(' ', options.Failures.Select(f => InCommandLineTerms(options.OptionsType, f))),
            OperationCanceledException => "cancelled.",
            IOException or UnauthorizedAccessException or HttpRequestException or SocketException => OutsideFailure(exception),
            _ => $"unexpected error ({exception.GetType().Name}): {exception.Message}",
        };
        return OneLine(message);
    }

    // One line, whatever the message holds: a script reads stderr line by line, and a terminal must show the line as it
    // is. A line break, an escape sequence or a bidi override (in a quoted name, an engine's answer...) is shown as a
    // visible escape (TerminalText), never acted on.
    // A message that quotes a huge input (a 100,000-character path) is cut, so that one error stays one readable line.
    public static string OneLine(string message)
    {
        var line = TerminalText.Escape(message.Trim());
        if (line.Length <= MaxLineLength)
        {
            return line;
        }

        // Never between the two halves of a surrogate pair (an emoji in a name).
        var cut = char.IsLowSurrogate(line[MaxLineLength]) ? MaxLineLength - 1 : MaxLineLength;
        return string.Concat(line.AsSpan(0, cut), $"… ({(line.Length - cut).ToString(System.Globalization.CultureInfo.InvariantCulture)} more characters)");
    }

    private const int MaxLineLength = 2048;

    // The options' rules name the property they check ("DockerHostOptions.CertificatesDirectory is empty; give ...");
    // someone typing a command knows the option they typed instead.
    private static readonly (string Property, string Option)[] CommandLineNames =
    [
        ("FileStoreOptions.Path", "--store"),
        ("PostgreSqlStoreOptions.ConnectionString", "--store"),
        ("DockerHostOptions.DaemonJsonPath", "--daemon-json"),
        ("DockerHostOptions.DockerDefaultsPath", "--docker-opts-file"),
        ("DockerHostOptions.CertificatesDirectory", "--certs-dir"),
        ("DockerHostOptions.CaBundlePath", "--ca-bundle"),
        ("RegistryVerificationOptions.CertificatesDirectory", "--certs-dir"),
        ("KubeletCredentialProviderOptions.CacheDuration", "--cache-duration"),
        ("KubeletPluginSourceOptions.ConfigFile", "--kubelet-plugin-config"),
        ("KubeletPluginSourceOptions.BinDirectory", "--kubelet-plugin-dir"),
    ];

    private static string InCommandLineTerms(Type optionsType, string failure)
    {
        foreach (var (property, option) in CommandLineNames)
        {
            failure = failure.Replace(property, option, StringComparison.Ordinal);
        }

        // "DockerConfigImportOptions.HelperDirectories[1] is ..." is the second --helper-dir.
        failure = HelperDirectory().Replace(failure, "--helper-dir");

        // "CredentialHelperSourceOptions.AllowedHelpers[0] is ..." is a name of --credential-helpers.
        failure = AllowedHelper().Replace(failure, "a name of --credential-helpers");

        // The engine's rules speak of its Endpoint, which the CLI takes from --docker-host (else $DOCKER_HOST).
        return optionsType == typeof(DockerEngineOptions) && failure.StartsWith("Endpoint ", StringComparison.Ordinal)
            ? "--docker-host " + failure["Endpoint ".Length..]
            : failure;
    }

    [GeneratedRegex(@"DockerConfigImportOptions\.HelperDirectories\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex HelperDirectory();

    [GeneratedRegex(@"CredentialHelperSourceOptions\.AllowedHelpers\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex AllowedHelper();

    // "... (Parameter 'email')" names a C# parameter, which means nothing to someone typing a command.
    private static string WithoutParameterName(ArgumentException exception)
    {
        var suffix = $" (Parameter '{exception.ParamName}')";
        var message = exception.Message;
        var at = exception.ParamName is null ? -1 : message.IndexOf(suffix, StringComparison.Ordinal);
        return at < 0 ? message : message.Remove(at, suffix.Length);
    }

    private static string OutsideFailure(Exception exception)
        => exception.InnerException is { } inner && !exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? exception.Message + " (" + inner.Message + ")"
            : exception.Message;
}
