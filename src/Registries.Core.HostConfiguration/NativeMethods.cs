using System.Runtime.InteropServices;

namespace Registries.Core.HostConfiguration;

/// <summary>The POSIX calls that reading a host file without blocking needs and .NET does not expose (open with O_NONBLOCK, fstat).</summary>
internal static partial class NativeMethods
{
    // Linux values, the same on x86-64 and arm64 (asm-generic).
    private const int OpenReadOnly = 0;
    private const int OpenNoControllingTerminal = 0x100;
    private const int OpenNonBlocking = 0x800;
    private const int OpenCloseOnExec = 0x80000;

    private const uint FileTypeMask = 0xF000;

    /// <summary>Gets a value indicating whether <see cref="OpenNonBlockingForRead"/> and <see cref="GetFileType"/> are available: Linux on x86-64 or arm64, where the offset of st_mode is known.</summary>
    internal static bool IsAvailable => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Opens a path for reading without ever blocking (a FIFO without a writer would block a plain open).</summary>
    /// <returns>The descriptor, or -1 with <paramref name="errno"/> set.</returns>
    internal static int OpenNonBlockingForRead(string path, out int errno)
    {
        var fd = Open(path, OpenReadOnly | OpenNonBlocking | OpenCloseOnExec | OpenNoControllingTerminal);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>Returns the type bits (S_IFMT) of the file an open descriptor refers to, or <see langword="null"/> when fstat fails.</summary>
    internal static uint? GetFileType(int fd)
    {
        // struct stat is 144 bytes on x86-64 and 128 on arm64; st_mode sits after st_dev, st_ino (and st_nlink on x86-64).
        var buffer = new byte[256];
        if (FStat(fd, buffer) != 0)
        {
            return null;
        }

        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        return BitConverter.ToUInt32(buffer, offset) & FileTypeMask;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FStat(int fd, [Out] byte[] buffer);
}
