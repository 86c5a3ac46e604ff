using System.Text;

namespace Registries.Cli;

// The three standard streams; whether stdin is a terminal (no password typed in clear) and whether stdout is one
// (progress display) or redirected (plain lines). Stdin is kept as bytes: a password is decoded strictly, once its
// length is known to be sane (PasswordInput).
internal sealed class CliConsole(Stream input, TextWriter output, TextWriter error, bool isInputRedirected, bool isOutputRedirected)
{
    public Stream In { get; } = input;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public bool IsInputRedirected { get; } = isInputRedirected;

    public bool IsOutputRedirected { get; } = isOutputRedirected;

    public static CliConsole System()
    {
        // UTF-8 out whatever the locale: user names and e-mail addresses may hold non-ASCII letters.
        Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        return new CliConsole(Console.OpenStandardInput(), Console.Out, Console.Error, Console.IsInputRedirected, Console.IsOutputRedirected);
    }
}
