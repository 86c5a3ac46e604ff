using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Registries.Core.Shared;

/// <summary>Looks at a path a user named without ever blocking on it: what kind of file it is (<c>statx</c>, by path
/// or on an open descriptor), a non-blocking open for reading, and a bounded read.</summary>
/// <remarks>
/// <para>One implementation, linked as source into each package that reads or writes a path a user gives (the file
/// store, host configuration, Interop, the CLI), so that all of them tell a FIFO, a device, a socket or a folder from a
/// regular file the same way. It knows no package's exceptions: it returns errno values and statuses, and a read
/// failure is the plain <see cref="IOException"/> .NET throws; each package turns them into its own messages.</para>
/// <para><c>statx</c> and the <c>open</c> flags used here have the same layout and values on every Linux architecture
/// (unlike <c>struct stat</c>), except <see cref="ONoFollow"/>. Callers use the Linux calls only when
/// <see cref="OperatingSystem.IsLinux"/> is true; <see cref="ReadBounded"/> works everywhere.</para>
/// </remarks>
internal static partial class UnixFile
{
    /// <summary>No such file or folder.</summary>
    public const int ENOENT = 2;

    /// <summary>Interrupted by a signal: the call is retried.</summary>
    public const int EINTR = 4;

    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;

    /// <summary>A component of the path is not a folder.</summary>
    public const int ENOTDIR = 20;

    /// <summary>The path is a folder (open for writing).</summary>
    public const int EISDIR = 21;

    /// <summary>Too many links, or <see cref="ONoFollow"/> met a link.</summary>
    public const int ELOOP = 40;

    /// <summary>Open for reading only.</summary>
    public const int ORdOnly = 0;

    /// <summary>Open for reading and writing.</summary>
    public const int ORdWr = 2;

    /// <summary>Create the file if it does not exist.</summary>
    public const int OCreat = 0x40;

    /// <summary>Never let a terminal opened by accident become the process's controlling terminal.</summary>
    public const int ONoCtty = 0x100;

    /// <summary>Return at once instead of waiting (a FIFO without a writer would block a plain open).</summary>
    public const int ONonBlock = 0x800;

    private const int OCloExec = 0x80000;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    private const int SIfMt = 0xF000;

    /// <summary>Gets the <c>O_NOFOLLOW</c> flag of this architecture (it differs between x86 and Arm), or 0 when it is not known.</summary>
    public static int ONoFollow => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x20000,
        Architecture.Arm64 or Architecture.Arm => 0x8000,
        _ => 0,
    };

    /// <summary>Gets the status of <paramref name="path"/> (Linux <c>statx</c>), following links unless told not to.</summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Whether a link is followed to what it names.</param>
    /// <param name="status">The status; its kind is <see cref="FileKind.Missing"/> when the call failed.</param>
    /// <returns>0, or the errno of the failure (<see cref="ENOENT"/> or <see cref="ENOTDIR"/> when nothing is there).</returns>
    /// <exception cref="EntryPointNotFoundException">The C library has no <c>statx</c> (glibc before 2.28).</exception>
    public static int Stat(string path, bool followLinks, out UnixFileStatus status)
    {
        int result;
        StatxBuffer buffer;
        do
        {
            result = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, out buffer);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        return Result(result, buffer, out status);
    }

    /// <summary>Gets the status of an open file (Linux <c>statx</c> with <c>AT_EMPTY_PATH</c>, which is <c>fstat</c>).</summary>
    /// <param name="handle">The open file.</param>
    /// <param name="status">The status; its kind is <see cref="FileKind.Missing"/> when the call failed.</param>
    /// <returns>0, or the errno of the failure.</returns>
    /// <exception cref="EntryPointNotFoundException">The C library has no <c>statx</c> (glibc before 2.28).</exception>
    public static int Stat(SafeFileHandle handle, out UnixFileStatus status)
    {
        int result;
        StatxBuffer buffer;
        do
        {
            result = StatxHandle(handle, string.Empty, AtEmptyPath, StatxBasicStats, out buffer);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EINTR);

        return Result(result, buffer, out status);
    }

    /// <summary>Opens a path for reading without ever blocking (<c>O_RDONLY | O_NONBLOCK | O_NOCTTY</c>), following links.</summary>
    /// <remarks>Opening does not read: check the kind of what was opened with <see cref="Stat(SafeFileHandle, out UnixFileStatus)"/>
    /// before reading it, since the name may have been swapped since any check by path.</remarks>
    /// <param name="path">The file.</param>
    /// <param name="errno">The errno of the failure, or 0.</param>
    /// <returns>The open file, or an invalid handle on failure (dispose it either way).</returns>
    public static SafeFileHandle OpenForReading(string path, out int errno) => Open(path, ORdOnly | ONonBlock | ONoCtty, 0, out errno);

    /// <summary>Opens a file with <c>open(2)</c> flags (the Linux values; elsewhere only <see cref="ORdOnly"/> means the
    /// same); on Linux <c>O_CLOEXEC</c> is always added, so that no child process inherits the descriptor.</summary>
    /// <param name="path">The file.</param>
    /// <param name="flags">The flags.</param>
    /// <param name="mode">The mode of a created file (before the umask).</param>
    /// <param name="errno">The errno of the failure, or 0.</param>
    /// <returns>The open file, or an invalid handle on failure (dispose it either way).</returns>
    public static SafeFileHandle Open(string path, int flags, int mode, out int errno)
    {
        int fd;
        do
        {
            fd = OpenNative(path, OperatingSystem.IsLinux() ? flags | OCloExec : flags, mode);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

    /// <summary>Reads an open file from its start to its end, but never more than <paramref name="maxLength"/> + 1 bytes,
    /// so that a file that grows or a size that lies (a pseudo-file that reports 0) cannot exhaust memory.</summary>
    /// <remarks>The working buffers are cleared before they are dropped: the file may hold a key or a password.</remarks>
    /// <param name="handle">The open file (a regular file: check its kind first).</param>
    /// <param name="maxLength">The largest content accepted.</param>
    /// <param name="lengthHint">The size the file reports, to size the first buffer.</param>
    /// <returns>The content, or <see langword="null"/> when the file holds more than <paramref name="maxLength"/> bytes.</returns>
    /// <exception cref="IOException">A read failed; the message is the system's reason ("Input/output error").</exception>
    /// <exception cref="UnauthorizedAccessException">The system refused the read.</exception>
    public static byte[]? ReadBounded(SafeFileHandle handle, int maxLength, long lengthHint)
    {
        var buffer = new byte[Math.Min(maxLength + 1L, Math.Max(lengthHint + 1L, 4096))];
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > maxLength)
                    {
                        return null;
                    }

                    var larger = new byte[Math.Min(buffer.Length * 2L, maxLength + 1L)];
                    buffer.CopyTo(larger, 0);
                    CryptographicOperations.ZeroMemory(buffer);
                    buffer = larger;
                }

                var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += read;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Describes an errno the way <c>strerror</c> does ("Read-only file system").</summary>
    /// <param name="errno">The errno.</param>
    /// <returns>The description.</returns>
    public static string ErrorMessage(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Names a kind of file for a message that reads "it is ...": "a directory", "a FIFO (named pipe)".</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The phrase; "not a regular file" for <see cref="FileKind.Other"/>.</returns>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => "not a regular file",
    };

    private static int Result(int result, in StatxBuffer buffer, out UnixFileStatus status)
    {
        if (result != 0)
        {
            status = default;
            return Marshal.GetLastPInvokeError();
        }

        status = new UnixFileStatus(KindOf(buffer.Mode), buffer.Mode, buffer.Uid, (long)buffer.Size);
        return 0;
    }

    private static FileKind KindOf(int mode) => (mode & SIfMt) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.SymbolicLink,
        0x1000 => FileKind.Fifo,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0xC000 => FileKind.Socket,
        _ => FileKind.Other,
    };

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxHandle(SafeFileHandle directory, string path, int flags, uint mask, out StatxBuffer buffer);

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

/// <summary>What kind of file a path names.</summary>
internal enum FileKind
{
    /// <summary>Nothing is there, or it could not be looked at (the errno says which).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (seen only when links are not followed).</summary>
    SymbolicLink,

    /// <summary>A named pipe: opening it for reading waits for a writer.</summary>
    Fifo,

    /// <summary>A character device, such as <c>/dev/zero</c> or a terminal.</summary>
    CharacterDevice,

    /// <summary>A block device, such as a disk.</summary>
    BlockDevice,

    /// <summary>A Unix socket.</summary>
    Socket,

    /// <summary>Any other type the kernel reports.</summary>
    Other,
}

/// <summary>What <c>statx</c> says about a file: its kind, type and permission bits, owner and size.</summary>
/// <param name="Kind">The kind of file.</param>
/// <param name="Mode">The type and permission bits (<c>st_mode</c>).</param>
/// <param name="Owner">The owner's uid.</param>
/// <param name="Size">The size in bytes.</param>
internal readonly record struct UnixFileStatus(FileKind Kind, int Mode, uint Owner, long Size)
{
    /// <summary>Gets the type bits (<c>S_IFMT</c>), for a message about a kind this library does not name.</summary>
    public int Type => Mode & 0xF000;

    /// <summary>Gets the permission bits.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);
}
