using System.Runtime.InteropServices;

namespace Registries.Core.Storage;

/// <summary>The POSIX calls that durable writes need and .NET does not expose.</summary>
internal static partial class NativeMethods
{
    private const int ReadOnly = 0;

    /// <summary>Gets a value indicating whether the POSIX calls below are available.</summary>
    public static bool IsPosix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Flushes a folder's entries (a rename inside it) to disk; best effort, since some file systems refuse it.</summary>
    /// <param name="directory">The folder.</param>
    public static void TryFlushDirectory(string directory)
    {
        if (!IsPosix)
        {
            // Windows makes MoveFileEx durable on its own (NTFS journals the rename); there is no folder handle to flush.
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            return;
        }

        _ = FSync(fd);
        _ = Close(fd);
    }

    /// <summary>Creates <paramref name="target"/> as a second name of <paramref name="source"/>; fails if the target exists.</summary>
    /// <param name="source">The existing file.</param>
    /// <param name="target">The new name.</param>
    /// <returns><see langword="true"/> when the link was made; <see langword="false"/> when the target already exists.</returns>
    /// <exception cref="IOException">Neither a link nor a rename could create the target.</exception>
    public static bool TryLinkExclusive(string source, string target)
    {
        if (Link(source, target) == 0)
        {
            return true;
        }

        if (File.Exists(target))
        {
            return false;
        }

        // A file system without hard links (some network and FUSE mounts): fall back to a rename that refuses an
        // existing target.
        try
        {
            File.Move(source, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string source, string target);
}
