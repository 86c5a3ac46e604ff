using System.Globalization;
using System.Text;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Reads a small file that a user names, refusing without blocking what is not a regular file (a folder, a
/// FIFO, a device such as <c>/dev/zero</c>) and anything larger than a bound.</summary>
/// <remarks>
/// <para>On Linux the file is opened with <c>O_NONBLOCK</c> (so opening a FIFO without a writer returns at once instead
/// of waiting forever), its type and size are read from the open descriptor with <c>statx</c> (the shared
/// <see cref="UnixFile"/>), and only a regular file is read, never past the bound. Elsewhere the folder and size checks
/// still apply.</para>
/// </remarks>
internal static class RegularFile
{
    /// <summary>Reads a file as UTF-8 text (a BOM is skipped).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages ("The Docker config").</param>
    /// <param name="maxBytes">The largest size accepted.</param>
    /// <param name="give">What to give instead, for messages; a Docker config.json by default.</param>
    /// <returns>The text.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">The path is a folder or not a regular file, the file is larger than <paramref name="maxBytes"/>, or it could not be read.</exception>
    public static string ReadAllText(string path, string what, int maxBytes, string give = "give the config.json file itself")
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{what} '{path}' is a directory, not a file: {give}.");
        }

        byte[] content;
        using (var handle = OperatingSystem.IsLinux() ? OpenLinux(path, what, maxBytes, give, out var length) : OpenPortable(path, what, maxBytes, out length))
        {
            content = UnixFile.ReadBounded(handle, maxBytes, length) ?? throw TooLarge(path, what, maxBytes);
        }

        try
        {
            var span = content.AsSpan();
            if (span.StartsWith(Encoding.UTF8.Preamble))
            {
                span = span[Encoding.UTF8.Preamble.Length..];
            }

            return Encoding.UTF8.GetString(span);
        }
        finally
        {
            // The config holds passwords: only the decoded text, which the caller owns, is left.
            CryptographicOperations.ZeroMemory(content);
        }
    }

    private static SafeFileHandle OpenPortable(string path, string what, int maxBytes, out long length)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        }

        length = info.Length;
        if (length > maxBytes)
        {
            throw TooLarge(path, what, maxBytes);
        }

        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    }

    private static SafeFileHandle OpenLinux(string path, string what, int maxBytes, string give, out long length)
    {
        var handle = UnixFile.OpenForReading(path, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw errno switch
            {
                UnixFile.ENOENT => new FileNotFoundException($"{what} '{path}' does not exist.", path),
                UnixFile.EACCES => new UnauthorizedAccessException($"{what} '{path}' may not be read by this user: check its permissions."),
                UnixFile.EISDIR => new IOException($"{what} '{path}' is a directory, not a file: {give}."),
                _ => new IOException($"{what} '{path}' could not be opened: {UnixFile.ErrorMessage(errno)}."),
            };
        }

        try
        {
            errno = UnixFile.Stat(handle, out var status);
            if (errno != 0)
            {
                throw new IOException($"{what} '{path}' could not be examined: {UnixFile.ErrorMessage(errno)}.");
            }

            if (status.Kind != FileKind.Regular)
            {
                var kind = status.Kind == FileKind.Other
                    ? "not a regular file (mode " + status.Type.ToString("x", CultureInfo.InvariantCulture) + ")"
                    : UnixFile.Describe(status.Kind);
                throw new IOException($"{what} '{path}' is {kind}, not a regular file: {give}.");
            }

            length = status.Size;
            return length > maxBytes ? throw TooLarge(path, what, maxBytes) : handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static IOException TooLarge(string path, string what, int maxBytes)
        => new($"{what} '{path}' is larger than {(maxBytes / 1024).ToString(CultureInfo.InvariantCulture)} KiB: check that this is the right file.");
}
