using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Registries.Core.Shared;

namespace Registries.Core.FileStore;

/// <summary>The POSIX calls that durable, private writes need and .NET does not expose, beyond the look at a path that
/// every package shares (<see cref="UnixFile"/>: <c>statx</c>, <c>open</c>, the bounded read).</summary>
/// <remarks>The calls used only on Linux (<c>flock</c>, <c>geteuid</c>) use constants that Linux keeps the same on
/// every architecture; other systems use the managed fallbacks of <see cref="PrivateFile"/>.</remarks>
internal static partial class NativeMethods
{
    public const int EWOULDBLOCK = 11;

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

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

        using var folder = UnixFile.Open(directory, UnixFile.ORdOnly, 0, out _);
        if (!folder.IsInvalid)
        {
            _ = FSync(folder);
        }
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

        if (File.Exists(target) || Directory.Exists(target))
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

    /// <summary>Gets the effective user id of this process (Linux).</summary>
    /// <returns>The effective uid.</returns>
    public static uint EffectiveUserId() => GetEffectiveUserId();

    /// <summary>Takes an exclusive <c>flock(2)</c> without waiting (the lock .NET takes for <see cref="FileShare.None"/>).</summary>
    /// <param name="handle">The open file.</param>
    /// <returns>0 when locked, otherwise the errno (<see cref="EWOULDBLOCK"/> when another holder has it).</returns>
    public static int TryLockExclusive(SafeFileHandle handle)
    {
        int result;
        do
        {
            result = FLock(handle, LockExclusive | LockNonBlocking);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == UnixFile.EINTR);

        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string source, string target);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(SafeFileHandle fd, int operation);
}
