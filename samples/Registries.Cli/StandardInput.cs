namespace Registries.Cli;

// Whether the process was started with its stdin closed (`registries ... <&-`). The runtime then opens its own files
// and pipes, and the lowest free descriptor, 0, becomes one of them: reading "stdin" would wait forever on the
// runtime's own pipe. A descriptor inherited across exec never has close-on-exec set (exec would have closed it),
// while every descriptor the runtime opens has: so a close-on-exec descriptor 0 was not given by the caller.
internal static class StandardInput
{
    private const long CloseOnExec = 0x80000; // O_CLOEXEC, as /proc/self/fdinfo prints the flags (in octal).

    public static bool IsClosed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/fdinfo/0");
        }
        catch (FileNotFoundException)
        {
            // No descriptor 0 at all: closed, and nothing reused it.
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // No /proc (a container without it): nothing to tell, read as usual.
            return false;
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("flags:", StringComparison.Ordinal))
            {
                var flags = Convert.ToInt64(line["flags:".Length..].Trim(), 8);
                return (flags & CloseOnExec) != 0;
            }
        }

        return false;
    }
}
