using Registries.Core.Shared;

namespace Registries.Cli;

// Where `docker-config --output FILE` may write: a regular file or a name that does not exist yet. The write itself
// is the Interop library's (0600 from the first byte, atomic replacement); this only decides the path and prepares
// its folder. A symbolic link is followed, so the link is kept and its target replaced; a folder, a FIFO, a socket or
// a device is refused, without ever opening it (opening a FIFO would wait for a reader).
internal static class OutputFile
{
    public static string Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (new FileInfo(fullPath) is { LinkTarget: not null } link && link.ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            fullPath = target.FullName;
        }

        if (Directory.Exists(fullPath))
        {
            throw new ArgumentException($"--output '{path}' is a folder: give the file to write, for example '{Path.Combine(path, "config.json")}'.");
        }

        if (TypeOf(fullPath) is { } type && type != "regular file")
        {
            throw new ArgumentException($"--output '{path}' is a {type}, not a regular file: give a file to write (it is replaced atomically).");
        }

        return fullPath;
    }

    // Called once the credentials were read: a refused command leaves no folder behind.
    public static void CreateFolder(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(directory))
        {
            // The folder holds a file of passwords: private to its owner, as ~/.docker is.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                // One by one from the outermost missing one: Directory.CreateDirectory(path, mode) gives the mode to the
                // last folder only, and the umask's default to the ones above it.
                var missing = new Stack<string>();
                for (var folder = directory; folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
                {
                    missing.Push(folder);
                }

                while (missing.TryPop(out var folder))
                {
                    Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }
    }

    // The kind of file at the path (not following a link), or null when nothing is there or it cannot be told. The
    // words are the CLI's own, terser than the libraries' ("a FIFO", "a folder").
    private static string? TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        UnixFileStatus status;
        try
        {
            if (UnixFile.Stat(path, followLinks: false, out status) != 0)
            {
                // Nothing there (ENOENT), or it cannot be looked at: the write then reports the real error.
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without statx (glibc before 2.28): the atomic rename still never opens the target.
            return null;
        }

        return status.Kind switch
        {
            FileKind.Regular => "regular file",
            FileKind.Directory => "folder",
            FileKind.Fifo => "FIFO",
            FileKind.Socket => "socket",
            FileKind.CharacterDevice => "character device",
            FileKind.BlockDevice => "block device",
            FileKind.SymbolicLink => "symbolic link",
            _ => "special file",
        };
    }
}
