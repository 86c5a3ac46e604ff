using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Registries.Core.Interop;

/// <summary>Reads a small file that a user names, refusing without blocking what is not a regular file (a folder, a
/// FIFO, a device such as <c>/dev/zero</c>) and anything larger than a bound.</summary>
/// <remarks>
/// <para>On Linux the file is opened with <c>O_NONBLOCK</c> (so opening a FIFO without a writer returns at once instead
/// of waiting forever), its type and size are read from the open descriptor with <c>statx</c> (whose layout is the same
/// on every architecture, unlike <c>struct stat</c>), and only a regular file is read, never past the bound. Elsewhere
/// the folder and size checks still apply.</para>
/// </remarks>
internal static partial class RegularFile
{
    private const int ORdOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int ENoEnt = 2;
    private const int EAcces = 13;
    private const int EIsDir = 21;

    /// <summary>Reads a file as UTF-8 text (a BOM is skipped).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages ("The Docker config").</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <returns>The text.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">The path is a folder or not a regular file, the file is larger than <paramref name="maxBytes"/>, or it could not be read.</exception>
    public static string ReadAllText(string path, string what, int maxBytes)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{what} '{path}' is a directory, not a file: give the config.json file itself, for example '{Path.Combine(path, "config.json")}'.");
        }

        using var stream = OperatingSystem.IsLinux() ? OpenLinux(path, what, maxBytes) : OpenPortable(path, what, maxBytes);
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
        }

        if (total > maxBytes)
        {
            throw TooLarge(path, what, maxBytes);
        }

        var span = buffer.AsSpan(0, total);
        if (span.StartsWith(Encoding.UTF8.Preamble))
        {
            span = span[Encoding.UTF8.Preamble.Length..];
        }

        return Encoding.UTF8.GetString(span);
    }

    private static FileStream OpenPortable(string path, string what, int maxBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        }

        if (info.Length > maxBytes)
        {
            throw TooLarge(path, what, maxBytes);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    }

    private static FileStream OpenLinux(string path, string what, int maxBytes)
    {
        var fd = Open(path, ORdOnly | ONonBlock | OCloExec | ONoCtty);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENoEnt => new FileNotFoundException($"{what} '{path}' does not exist.", path),
                EAcces => new UnauthorizedAccessException($"{what} '{path}' may not be read by this user: check its permissions."),
                EIsDir => new IOException($"{what} '{path}' is a directory, not a file: give the config.json file itself."),
                _ => new IOException($"{what} '{path}' could not be opened: {Marshal.GetPInvokeErrorMessage(errno)}."),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var status = new byte[256];
            if (Statx(fd, string.Empty, AtEmptyPath, StatxType | StatxSize, status) != 0)
            {
                throw new IOException($"{what} '{path}' could not be examined: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }

            // struct statx: stx_mode is the u16 at offset 28, stx_size the u64 at offset 40.
            var mode = BitConverter.ToUInt16(status, 28) & 0xF000;
            var kind = mode switch
            {
                0x8000 => null,
                0x4000 => "a directory",
                0x1000 => "a FIFO (named pipe)",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0xC000 => "a socket",
                _ => "not a regular file (mode " + mode.ToString("x", CultureInfo.InvariantCulture) + ")",
            };
            if (kind is not null)
            {
                throw new IOException($"{what} '{path}' is {kind}, not a regular file: give the config.json file itself.");
            }

            if (BitConverter.ToUInt64(status, 40) > (ulong)maxBytes)
            {
                throw TooLarge(path, what, maxBytes);
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static IOException TooLarge(string path, string what, int maxBytes)
        => new($"{what} '{path}' is larger than {(maxBytes / 1024).ToString(CultureInfo.InvariantCulture)} KiB; a Docker config.json is a few KiB: check that this is the right file.");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);
}
