namespace Registries.Cli;

// The password comes only from stdin (--password-stdin), as with `docker login --password-stdin`: never from an
// argument, which other users could read in the process list, and never echoed.
internal static class PasswordInput
{
    public static string Read(TextReader input)
    {
        var text = input.ReadToEnd();

        // Strip exactly one line ending, the one `echo` or a here-string adds; every other character is the password's.
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return text[..^2];
        }

        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
