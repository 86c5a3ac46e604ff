using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using Registries.Core.Shared;

namespace Registries.Core.FileStore;

/// <summary>Reads, locks and creates the files that hold credentials, trusting only regular files that belong to the
/// user running the process, the way OpenSSH trusts its keys.</summary>
/// <remarks>
/// <para>On Linux every check is made on the opened file (<c>fstat</c>), after a <c>stat</c> that refuses anything but a
/// regular file before it is opened, so a named pipe or a device never blocks a read and a file swapped in between
/// is still checked. The owner must be the effective user: another user's file may have been planted to make this
/// process use a key that user knows, or to keep group or world access to the store. A root-owned file is refused
/// for a non-root user too: root is trusted, but a root-owned file in a user's store is the leftover of a
/// <c>sudo</c> run that the user must take over explicitly (<c>chown</c>) rather than silently. Other systems get
/// the checks .NET can make (folder, mode, size).</para>
/// <para>Every read is bounded, so a huge file or a device ends in an error, not in exhausted memory.</para>
/// </remarks>
internal static class PrivateFile
{
    /// <summary>The mode of a folder this library creates: owner only (0700).</summary>
    public const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Group and other permission bits: none of them may be set on a key or lock file.</summary>
    public const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Group and other write bits: a store file with one of them may have been changed by someone else.</summary>
    public const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    // FileShare.None failures that mean "someone else holds it": Windows' sharing and lock violations, and on Unix
    // the raw errno of flock(LOCK_NB), which .NET puts in HResult (EWOULDBLOCK: 11 on Linux, 35 on macOS and BSD).
    private const int SharingViolation = unchecked((int)0x80070020);
    private const int LockViolation = unchecked((int)0x80070021);
    private const int BsdWouldBlock = 35;

    /// <summary>Returns the file a path finally names: the path itself, or the last target of its chain of links.</summary>
    /// <remarks>Writers replace that file, so a linked store or key stays a link (the link's target is not left stale).</remarks>
    /// <param name="path">A full path.</param>
    /// <param name="role">What the file is, for messages ("store file").</param>
    /// <returns>The full path of the final target (which may not exist yet).</returns>
    /// <exception cref="RegistryStoreException">The links form a loop or cannot be read.</exception>
    public static string ResolveTarget(string path, string role)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null)
            {
                return path;
            }

            return Path.GetFullPath(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The {role} '{path}' is a symbolic link that cannot be followed ({e.Message}). Fix or remove the link.", e);
        }
    }

    /// <summary>Reads a whole private file, or returns <see langword="null"/> when it does not exist.</summary>
    /// <param name="path">The file (a link is followed).</param>
    /// <param name="role">What the file is, for messages ("store file", "key file").</param>
    /// <param name="maxLength">The largest size accepted.</param>
    /// <param name="forbidden">Permission bits that make the file untrustworthy.</param>
    /// <returns>The content, or <see langword="null"/>.</returns>
    /// <exception cref="RegistryStoreException">The path is not a regular file, belongs to another user, has a
    /// forbidden mode, is too large, or cannot be read; nothing was changed.</exception>
    public static byte[]? Read(string path, string role, int maxLength, UnixFileMode forbidden)
        => OperatingSystem.IsLinux() ? ReadLinux(path, role, maxLength, forbidden) : ReadManaged(path, role, maxLength, forbidden);

    /// <summary>Checks, without opening it, that a file that exists is one <see cref="Read"/> would accept.</summary>
    /// <remarks>A writer calls it before it creates anything (a folder, a lock file) next to the file, so that a store
    /// path naming a device, a pipe or another user's file leaves no trace.</remarks>
    /// <param name="path">The file (a link is followed).</param>
    /// <param name="role">What the file is, for messages.</param>
    /// <param name="maxLength">The largest size accepted.</param>
    /// <param name="forbidden">Permission bits that make the file untrustworthy.</param>
    /// <exception cref="RegistryStoreException">The file exists and would be refused.</exception>
    public static void EnsureAcceptable(string path, string role, int maxLength, UnixFileMode forbidden)
    {
        if (OperatingSystem.IsLinux())
        {
            var errno = UnixFile.Stat(path, followLinks: true, out var status);
            if (errno == 0)
            {
                Check(path, role, status, maxLength, forbidden);
            }
        }
        else if (Directory.Exists(path))
        {
            throw NotRegular(path, role, FileKind.Directory, "Nothing was changed.");
        }
    }

    /// <summary>Creates a folder and its missing parents with mode 0700, whatever the umask.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="role">What the folder holds, for messages.</param>
    /// <exception cref="RegistryStoreException">A folder cannot be created; the message gives the system's reason.</exception>
    public static void CreateDirectory(string directory, string role)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
                return;
            }

            var missing = new Stack<string>();
            for (var current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
            {
                missing.Push(current);
            }

            while (missing.TryPop(out var folder))
            {
                Directory.CreateDirectory(folder, PrivateFolder);

                // mkdir(2) takes the umask off the mode (umask 0777 would give 0000): set it exactly.
                File.SetUnixFileMode(folder, PrivateFolder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The folder '{directory}' of the {role} could not be created: {Reason(e)}.", e);
        }
    }

    /// <summary>Opens (creating it 0600 if needed) and locks the lock file; waits while another holder has it.</summary>
    /// <remarks>A lock file that others may open could be locked by any local user to block every write, so it must
    /// belong to this user; a lock file of this user that others may open (an older release made it 0644) is made
    /// 0600. Only "someone holds the lock" is waited for: any other failure (read-only file system, permission
    /// denied, no space) is reported at once.</remarks>
    /// <param name="path">The lock file.</param>
    /// <param name="timeout">How long to wait for another holder.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="onBusy">Called once when the lock is found held, before the wait starts (the store logs it), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The locked file; dispose it to unlock.</returns>
    /// <exception cref="RegistryStoreException">The lock file is unsafe or cannot be opened, or the wait timed out.</exception>
    public static async ValueTask<IDisposable> LockAsync(string path, TimeSpan timeout, TimeProvider timeProvider, Action? onBusy, CancellationToken cancellationToken)
    {
        var handle = OperatingSystem.IsLinux() ? OpenLockFileLinux(path) : null;
        try
        {
            var started = timeProvider.GetTimestamp();
            var delay = 1;
            while (true)
            {
                var (locked, busy) = handle is null ? TryLockManaged(path) : TryLockLinux(handle, path);
                if (locked is not null)
                {
                    return locked;
                }

                if (timeProvider.GetElapsedTime(started) >= timeout)
                {
                    throw new RegistryStoreException(string.Create(CultureInfo.InvariantCulture, $"Another process has held the write lock on '{path}' for more than {timeout.TotalSeconds:0.###} s; nothing was written. Retry, or find the process that keeps it (FileStoreOptions.LockTimeout sets how long a write waits)."), busy);
                }

                if (delay == 1)
                {
                    // Said once per write, not on every retry.
                    onBusy?.Invoke();
                }

                // Jittered back-off, so that waiting processes do not retry in lockstep.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, delay + 1)), timeProvider, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 16);
            }
        }
        catch
        {
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>Describes an I/O failure by its cause, without .NET's wording ("Access to the path is denied").</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>For example "permission denied" or "Read-only file system : '/srv/store.json'".</returns>
    public static string Reason(Exception exception) => exception is UnauthorizedAccessException
        ? "permission denied (" + exception.Message.TrimEnd('.') + ")"
        : exception.Message.TrimEnd('.');

    private static (IDisposable? Locked, Exception? Busy) TryLockLinux(SafeFileHandle handle, string path)
    {
        var errno = NativeMethods.TryLockExclusive(handle);
        if (errno == 0)
        {
            return (new LockedFile(handle), null);
        }

        return errno == NativeMethods.EWOULDBLOCK
            ? (null, null)
            : throw new RegistryStoreException($"The lock file '{path}' could not be locked: {UnixFile.ErrorMessage(errno)}. The store needs a file system with flock(2); nothing was written.");
    }

    private static (IDisposable? Locked, Exception? Busy) TryLockManaged(string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = AtomicFile.OwnerOnly;
            }

            // FileShare.None is an exclusive lock that the OS drops when the process exits or dies.
            return (new FileStream(path, options), null);
        }
        catch (IOException e) when (IsBusy(e))
        {
            return (null, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The lock file '{path}' could not be opened: {Reason(e)}; nothing was written.", e);
        }
    }

    private static bool IsBusy(IOException e) => OperatingSystem.IsWindows()
        ? e.HResult is SharingViolation or LockViolation
        : e.HResult == (OperatingSystem.IsLinux() ? NativeMethods.EWOULDBLOCK : BsdWouldBlock);

    [SupportedOSPlatform("linux")]
    private static SafeFileHandle OpenLockFileLinux(string path)
    {
        const string Role = "lock file";
        if (UnixFile.Stat(path, followLinks: false, out var before) == 0 && before.Kind != FileKind.Regular)
        {
            throw NotRegular(path, Role, before.Kind, "It holds no data: remove it and retry.");
        }

        // O_NOFOLLOW: a link planted as the lock file must not make this process create or lock a file elsewhere.
        var handle = UnixFile.Open(path, UnixFile.ORdWr | UnixFile.OCreat | UnixFile.ONonBlock | UnixFile.ONoFollow, (int)AtomicFile.OwnerOnly, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            var fix = errno == UnixFile.ELOOP ? " It is a symbolic link; remove it and retry." : string.Empty;
            throw new RegistryStoreException($"The {Role} '{path}' could not be opened or created: {UnixFile.ErrorMessage(errno)}; nothing was written.{fix}");
        }

        try
        {
            var status = StatOpened(handle, path, Role);
            if (status.Kind != FileKind.Regular)
            {
                throw NotRegular(path, Role, status.Kind, "It holds no data: remove it and retry.");
            }

            var me = NativeMethods.EffectiveUserId();
            if (status.Owner != me)
            {
                throw new RegistryStoreException(string.Create(CultureInfo.InvariantCulture, $"The {Role} '{path}' belongs to another user (uid {status.Owner}), not to the user running this process (uid {me}): that user could hold it to block every write. It holds no data: remove it and retry; nothing was written."));
            }

            if (status.Permissions != AtomicFile.OwnerOnly)
            {
                // Ours, but others may open it (and flock it), or the umask took bits off: make it exactly 0600.
                File.SetUnixFileMode(handle, AtomicFile.OwnerOnly);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static byte[]? ReadLinux(string path, string role, int maxLength, UnixFileMode forbidden)
    {
        // stat before open: opening a named pipe blocks until a writer comes, and opening a device may act on it.
        var errno = UnixFile.Stat(path, followLinks: true, out var before);
        if (errno is UnixFile.ENOENT or UnixFile.ENOTDIR)
        {
            return null;
        }

        if (errno != 0)
        {
            throw new RegistryStoreException($"The {role} '{path}' could not be read: {UnixFile.ErrorMessage(errno)}. Nothing was changed.");
        }

        Check(path, role, before, maxLength, forbidden);
        using var handle = UnixFile.OpenForReading(path, out errno);
        if (handle.IsInvalid)
        {
            if (errno == UnixFile.ENOENT)
            {
                return null;
            }

            throw new RegistryStoreException($"The {role} '{path}' could not be read: {UnixFile.ErrorMessage(errno)}. Check the permissions of the file and its folder; nothing was changed.");
        }

        // The checks that count are on what was opened: the name may have been swapped since the stat.
        var status = StatOpened(handle, path, role);
        Check(path, role, status, maxLength, forbidden);

        // Bounded even when the size lies (a file that grows, a pseudo-file that reports 0); no copy of a key is left behind.
        byte[]? content;
        try
        {
            content = UnixFile.ReadBounded(handle, maxLength, status.Size);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The {role} '{path}' could not be read: {e.Message}. Nothing was changed.", e);
        }

        return content ?? throw TooLarge(path, role, maxLength + 1L, maxLength);
    }

    private static byte[]? ReadManaged(string path, string role, int maxLength, UnixFileMode forbidden)
    {
        if (Directory.Exists(path))
        {
            throw NotRegular(path, role, FileKind.Directory, "Nothing was changed.");
        }

        try
        {
            // Share everything, Delete included: on Windows a writer must be able to rename over a file being read.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            if (!OperatingSystem.IsWindows())
            {
                CheckMode(path, role, File.GetUnixFileMode(stream.SafeFileHandle), forbidden);
            }

            var length = stream.Length;
            if (length > maxLength)
            {
                throw TooLarge(path, role, length, maxLength);
            }

            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The {role} '{path}' could not be read: {Reason(e)}. Check the permissions of the file and its folder; nothing was changed.", e);
        }
    }

    private static void Check(string path, string role, UnixFileStatus status, int maxLength, UnixFileMode forbidden)
    {
        if (status.Kind != FileKind.Regular)
        {
            throw NotRegular(path, role, status.Kind, "Nothing was changed.");
        }

        var me = NativeMethods.EffectiveUserId();
        if (status.Owner != me)
        {
            throw new RegistryStoreException(string.Create(CultureInfo.InvariantCulture, $"The {role} '{path}' belongs to another user (uid {status.Owner}), not to the user running this process (uid {me}), so it is not trusted: it may have been planted to read or replace the passwords. If it is yours, run 'chown {me} {path}' as root; otherwise move it away. Nothing was changed."));
        }

        CheckMode(path, role, status.Permissions, forbidden);
        if (status.Size > maxLength)
        {
            throw TooLarge(path, role, status.Size, maxLength);
        }
    }

    private static UnixFileStatus StatOpened(SafeFileHandle handle, string path, string role)
    {
        var errno = UnixFile.Stat(handle, out var status);
        return errno == 0 ? status : throw new RegistryStoreException($"The {role} '{path}' could not be examined: {UnixFile.ErrorMessage(errno)}. Nothing was changed.");
    }

    private static void CheckMode(string path, string role, UnixFileMode mode, UnixFileMode forbidden)
    {
        if ((mode & forbidden) == 0)
        {
            return;
        }

        var what = (forbidden & ~GroupOrOtherWrite) == 0 ? "writable by other users" : "open to other users";
        throw new RegistryStoreException(string.Create(
            CultureInfo.InvariantCulture,
            $"The {role} '{path}' is {what} (mode {Convert.ToString((int)mode, 8)}), so it is not trusted; it must be readable and writable by its owner only. Run 'chmod 600 {path}'. Nothing was changed."));
    }

    private static RegistryStoreException NotRegular(string path, string role, FileKind kind, string tail)
    {
        var what = kind switch
        {
            FileKind.Directory => "is a directory, not a file: give the path of a file (for example '" + Path.Combine(path, "store.json") + "')",
            FileKind.Fifo => "is a named pipe (FIFO), not a regular file: reading it could block forever. Give the path of a regular file",
            FileKind.CharacterDevice or FileKind.BlockDevice => "is a device, not a regular file. Give the path of a regular file",
            FileKind.Socket => "is a socket, not a regular file. Give the path of a regular file",
            FileKind.SymbolicLink => "is a symbolic link. Give the path of a regular file",
            _ => "is not a regular file. Give the path of a regular file",
        };
        return new RegistryStoreException($"The {role} '{path}' {what}. {tail}");
    }

    private static RegistryStoreException TooLarge(string path, string role, long length, int maxLength)
        => new(string.Create(CultureInfo.InvariantCulture, $"The {role} '{path}' is larger ({length} bytes or more) than a {role} can be ({maxLength} bytes), so it is not one this library wrote. Check the path; nothing was changed."));

    private sealed class LockedFile(SafeFileHandle handle) : IDisposable
    {
        // Closing the descriptor releases the flock.
        public void Dispose() => handle.Dispose();
    }
}
