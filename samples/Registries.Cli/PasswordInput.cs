namespace Registries.Cli;

// The password comes only from stdin (--password-stdin), as with `docker login --password-stdin`: never from an
// argument, which other users could read in the process list, and never echoed.
internal static class PasswordInput
{
    public static string Read(CliConsole console)
    {
        if (!console.IsInputRedirected)
        {
            // Typed at a terminal, the password would be echoed on the screen and left in its scrollback.
            throw new ArgumentException("--password-stdin reads the password from a pipe or a file, not from the terminal: for example 'printf %s \"$PASSWORD\" | registries ...' or '... --password-stdin < password.txt'.");
        }

        var text = console.In.ReadToEnd();

        // Strip exactly one line ending, the one `echo` or a here-string adds; every other character is the password's.
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return text[..^2];
        }

        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
