using Microsoft.Extensions.Options;
using Registries.Core;

namespace Registries.Samples.Shared;

// One line for a failure of the native helper or provider, the way the registries CLI words it (its CliErrors): the
// library's messages say what to fix and never hold a secret; a fault of another kind is named by its type. The line
// is escaped for a terminal (TerminalText) and cut, so one error stays one readable line.
internal static class NativeErrors
{
    private const int MaxLineLength = 2048;

    public static string MessageOf(Exception exception)
    {
        var message = exception switch
        {
            ArgumentException argument => WithoutParameterName(argument),
            MissingCallerException => $"no user to act as: give --as USER (not empty), or set ${NativeCommandLine.UserVariable}.",
            RegistriesException or FormatException => exception.Message,
            OptionsValidationException options => string.Join(' ', options.Failures.Select(InCommandLineTerms)),
            OperationCanceledException => "cancelled.",
            IOException or UnauthorizedAccessException => exception.InnerException is { } inner && !exception.Message.Contains(inner.Message, StringComparison.Ordinal)
                ? exception.Message + " (" + inner.Message + ")"
                : exception.Message,
            _ => $"unexpected error ({exception.GetType().Name}): {exception.Message}",
        };
        return OneLine(message);
    }

    public static string OneLine(string message)
    {
        var line = Registries.Cli.Output.TerminalText.Escape(message.Trim());
        if (line.Length <= MaxLineLength)
        {
            return line;
        }

        var cut = char.IsLowSurrogate(line[MaxLineLength]) ? MaxLineLength - 1 : MaxLineLength;
        return string.Concat(line.AsSpan(0, cut), "…");
    }

    // The options' rules name the property they check; someone reading the helper's error knows the option instead.
    private static string InCommandLineTerms(string failure)
        => failure
            .Replace("FileStoreOptions.Path", "--store", StringComparison.Ordinal)
            .Replace("PostgreSqlStoreOptions.ConnectionString", "--store", StringComparison.Ordinal)
            .Replace("KubeletCredentialProviderOptions.CacheDuration", "--cache-duration", StringComparison.Ordinal);

    private static string WithoutParameterName(ArgumentException exception)
    {
        var suffix = $" (Parameter '{exception.ParamName}')";
        var message = exception.Message;
        var at = exception.ParamName is null ? -1 : message.IndexOf(suffix, StringComparison.Ordinal);
        return at < 0 ? message : message.Remove(at, suffix.Length);
    }
}
