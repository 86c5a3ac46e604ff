using System.Text;

namespace Registries.Cli;

// The three standard streams; whether stdin is a terminal (no password typed in clear) and whether stdout is one
// (progress display) or redirected (plain lines).
internal sealed class CliConsole(TextReader input, TextWriter output, TextWriter error, bool isInputRedirected, bool isOutputRedirected)
{
    public TextReader In { get; } = input;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public bool IsInputRedirected { get; } = isInputRedirected;

    public bool IsOutputRedirected { get; } = isOutputRedirected;

    public static CliConsole System()
    {
        // UTF-8 both ways whatever the locale: passwords and user names may hold non-ASCII letters.
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        Console.OutputEncoding = utf8;
        var input = new StreamReader(Console.OpenStandardInput(), utf8, detectEncodingFromByteOrderMarks: false);
        return new CliConsole(input, Console.Out, Console.Error, Console.IsInputRedirected, Console.IsOutputRedirected);
    }
}
