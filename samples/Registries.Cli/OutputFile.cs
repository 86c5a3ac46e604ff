using System.Runtime.InteropServices;

namespace Registries.Cli;

// Where `docker-config --output FILE` may write: a regular file or a name that does not exist yet. The write itself
// is the Interop library's (0600 from the first byte, atomic replacement); this only decides the path and prepares
// its folder. A symbolic link is followed, so the link is kept and its target replaced; a folder, a FIFO, a socket or
// a device is refused, without ever opening it (opening a FIFO would wait for a reader).
internal static partial class OutputFile
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint TypeMask = 0x1; // STATX_TYPE
    private const int ModeOffset = 28; // stx_mode in struct statx, the same on every architecture

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

    // The kind of file at the path (not following a link), or null when nothing is there or it cannot be told.
    private static string? TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        int result;
        try
        {
            result = StatX(CurrentDirectory, path, NoFollow, TypeMask, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without statx (glibc before 2.28): the atomic rename still never opens the target.
            return null;
        }

        if (result != 0)
        {
            // Nothing there (ENOENT), or it cannot be looked at: the write then reports the real error.
            return null;
        }

        return (BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000) switch
        {
            0x8000 => "regular file",
            0x4000 => "folder",
            0x1000 => "FIFO",
            0xC000 => "socket",
            0x2000 => "character device",
            0x6000 => "block device",
            0xA000 => "symbolic link",
            _ => "special file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);
}
