using System.Text;

namespace Registries.Cli;

// The password (--password-stdin) and the identity token (--identity-token-stdin) come only from stdin, as with
// `docker login --password-stdin`: never from an argument, which other users could read in the process list, and never
// echoed. It is read as bytes, at most
// MaxBytes of them (a registry token is a few KiB at most; /dev/zero must not fill the memory), and decoded as strict
// UTF-8: a byte sequence that is not UTF-8 would be stored with U+FFFD in place and never match at the registry.
internal static class PasswordInput
{
    public const int MaxBytes = 16 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Read(CliConsole console) => Read(console, "--password-stdin", "password", "PASSWORD");

    // The same rules for another secret: the option that asked for it, what it is ("identity token") and the shell
    // variable the examples name.
    public static string Read(CliConsole console, string option, string what, string variable)
    {
        if (!console.IsInputRedirected)
        {
            // Typed at a terminal, the password would be echoed on the screen and left in its scrollback.
            throw new ArgumentException($"{option} reads the {what} from a pipe or a file, not from the terminal: for example 'printf %s \"${variable}\" | registries ...' or '... {option} < {what.Replace(' ', '-')}.txt'.");
        }

        if (StandardInput.IsClosed())
        {
            throw new ArgumentException($"{option} found stdin closed: pipe the {what} to the command, for example 'printf %s \"${variable}\" | registries ...' or '... {option} < {what.Replace(' ', '-')}.txt'.");
        }

        var bytes = ReadBounded(console.In, option, what);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // The message never shows the bytes: they are (most of) the password.
            throw new ArgumentException($"The {what} on stdin is not valid UTF-8 text: give it in UTF-8 (for example convert it with 'iconv -t UTF-8').");
        }
        finally
        {
            Array.Clear(bytes);
        }

        // Strip exactly one line ending, the one `echo` or a here-string adds; every other character is the password's.
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return text[..^2];
        }

        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private static byte[] ReadBounded(Stream input, string option, string what)
    {
        // One byte more than allowed tells "too long" from "exactly the limit".
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = input.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Array.Clear(buffer);
            throw new ArgumentException($"{option} could not read stdin ({exception.Message}): pipe the {what} to the command, or redirect it from a file.", exception);
        }

        if (length > MaxBytes)
        {
            Array.Clear(buffer);
            throw new ArgumentException($"The {what} on stdin is longer than {MaxBytes} bytes: give the {what} alone (is stdin the right file?).");
        }

        var bytes = buffer[..length];
        Array.Clear(buffer);
        return bytes;
    }
}
