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

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(SafeFileHandle fd, int operation);
}
