using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Registries.Core.Storage;

/// <summary>The POSIX calls that durable, private writes need and .NET does not expose.</summary>
/// <remarks>The calls used only on Linux (<c>statx</c>, <c>open</c> with flags, <c>flock</c>, <c>read</c>) use
/// constants and a structure layout that Linux keeps the same on every architecture; other systems use the managed
/// fallbacks of <see cref="PrivateFile"/>.</remarks>
internal static partial class NativeMethods
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EWOULDBLOCK = 11;
    public const int ENOTDIR = 20;
    public const int ELOOP = 40;

    public const int ORdOnly = 0;
    public const int ORdWr = 2;
    public const int OCreat = 0x40;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;

    public const int SIfMt = 0xF000;
    public const int SIfReg = 0x8000;
    public const int SIfDir = 0x4000;
    public const int SIfLnk = 0xA000;
    public const int SIfIfo = 0x1000;
    public const int SIfChr = 0x2000;
    public const int SIfBlk = 0x6000;
    public const int SIfSock = 0xC000;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    /// <summary>Gets a value indicating whether the POSIX calls below are available.</summary>
    public static bool IsPosix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Gets the <c>O_NOFOLLOW</c> flag of this architecture (it differs between x86 and Arm), or 0 when it is not known.</summary>
    public static int ONoFollow => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        _ => 0,
    };

    /// <summary>Flushes a folder's entries (a rename inside it) to disk; best effort, since some file systems refuse it.</summary>
    /// <param name="directory">The folder.</param>
    public static void TryFlushDirectory(string directory)
    {
        if (!IsPosix)
        {
            // Windows makes MoveFileEx durable on its own (NTFS journals the rename); there is no folder handle to flush.
            return;
        }

        var fd = Open(directory, ORdOnly);
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

    /// <summary>Gets the status of <paramref name="path"/> (Linux <c>statx</c>), following links unless told not to.</summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Whether a link is followed to what it names.</param>
    /// <param name="status">The status.</param>
    /// <returns>0, or the errno of the failure.</returns>
    public static int Stat(string path, bool followLinks, out FileStatus status)
    {
        int result;
        StatxBuffer buffer;
        do
        {
            result = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, out buffer);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        status = new FileStatus(buffer.Mode, buffer.Uid, (long)buffer.Size);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Gets the status of an open file (Linux <c>statx</c> with <c>AT_EMPTY_PATH</c>, which is <c>fstat</c>).</summary>
    /// <param name="handle">The open file.</param>
    /// <param name="status">The status.</param>
    /// <returns>0, or the errno of the failure.</returns>
    public static int Stat(SafeFileHandle handle, out FileStatus status)
    {
        var result = StatxHandle(handle, string.Empty, AtEmptyPath, StatxBasicStats, out var buffer);
        status = new FileStatus(buffer.Mode, buffer.Uid, (long)buffer.Size);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Opens a file with <c>open(2)</c> flags (Linux).</summary>
    /// <param name="path">The file.</param>
    /// <param name="flags">The flags.</param>
    /// <param name="mode">The mode of a created file (before the umask).</param>
    /// <param name="errno">The errno of the failure, or 0.</param>
    /// <returns>The open file, or an invalid handle on failure.</returns>
    public static SafeFileHandle OpenFile(string path, int flags, int mode, out int errno)
    {
        int fd;
        do
        {
            fd = OpenWithMode(path, flags | OCloExec, mode);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

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
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length from the current position (Linux <c>read(2)</c>).</summary>
    /// <param name="handle">The open file.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="errno">The errno of the failure, or 0.</param>
    /// <returns>The number of bytes read (0 at the end), or -1 on failure.</returns>
    public static unsafe int Read(SafeFileHandle handle, Span<byte> buffer, out int errno)
    {
        nint count;
        fixed (byte* start = buffer)
        {
            do
            {
                count = ReadNative(handle, start, buffer.Length);
            }
            while (count < 0 && Marshal.GetLastPInvokeError() == EINTR);
        }

        errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)count;
    }

    /// <summary>Describes an errno the way <c>strerror</c> does ("Read-only file system").</summary>
    /// <param name="errno">The errno.</param>
    /// <returns>The description.</returns>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenWithMode(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string source, string target);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxHandle(SafeFileHandle directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(SafeFileHandle fd, byte* buffer, nint count);

    /// <summary>The kernel's <c>struct statx</c>: 256 bytes, the same layout on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(40)]
        public ulong Size;
    }
}

/// <summary>What <c>stat</c> says about a file: its type and permission bits, owner and size.</summary>
/// <param name="Mode">The type and permission bits (<c>st_mode</c>).</param>
/// <param name="Owner">The owner's uid.</param>
/// <param name="Size">The size in bytes.</param>
internal readonly record struct FileStatus(int Mode, uint Owner, long Size)
{
    /// <summary>Gets the type bits (<c>S_IFMT</c>).</summary>
    public int Type => Mode & NativeMethods.SIfMt;

    /// <summary>Gets the permission bits.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);
}
