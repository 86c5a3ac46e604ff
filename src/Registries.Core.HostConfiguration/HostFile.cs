using System.Security;
using Microsoft.Win32.SafeHandles;
using Registries.Core.Shared;

namespace Registries.Core.HostConfiguration;

/// <summary>Reads and replaces host files so that a reader never sees half a file and the file keeps its permissions.</summary>
internal static class HostFile
{
    internal const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    internal const UnixFileMode DefaultDirectoryMode =
        DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The most a configuration file (daemon.json, the defaults file) may hold: real ones are a few kilobytes.</summary>
    internal const int ConfigurationFileLimit = 1024 * 1024;

    /// <summary>The most a certificate file or CA bundle may hold: Debian's system bundle is about 220 kilobytes.</summary>
    internal const int CertificateFileLimit = 16 * 1024 * 1024;

    /// <summary>Reads a regular file of at most <paramref name="limit"/> bytes, or returns <see langword="null"/> when it does not exist.</summary>
    /// <remarks>
    /// A FIFO, a device, a socket or a folder is refused before a byte is read, and a read never blocks: the path is
    /// opened with O_NONBLOCK and the opened handle's type is checked with statx (a path swapped after a check cannot
    /// slip through). Reads stop after <paramref name="limit"/> + 1 bytes, so <c>/dev/zero</c> or a huge file cannot
    /// exhaust memory. A symbolic link is followed.
    /// </remarks>
    internal static byte[]? ReadIfExists(string path, int limit = ConfigurationFileLimit)
    {
        try
        {
            if (Directory.Exists(path))
            {
                throw NotRegular(path, "a directory");
            }

            if (!File.Exists(path))
            {
                return null;
            }

            return OperatingSystem.IsLinux() ? ReadNonBlocking(path, limit) : ReadBounded(File.OpenHandle(path), path, limit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw AccessError(path, "read", e);
        }
    }

    private static byte[]? ReadNonBlocking(string path, int limit)
    {
        var handle = UnixFile.OpenForReading(path, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            return errno switch
            {
                UnixFile.ENOENT => null,
                UnixFile.EISDIR => throw NotRegular(path, UnixFile.Describe(FileKind.Directory)),
                UnixFile.EACCES => throw AccessError(path, "read", new UnauthorizedAccessException("permission denied")),
                _ => throw AccessError(path, "read", new IOException($"open failed with errno {errno.ToString(System.Globalization.CultureInfo.InvariantCulture)}")),
            };
        }

        // A failed statx names no kind: it is refused like any file that is not a regular one.
        var kind = UnixFile.Stat(handle, out var status) == 0 ? status.Kind : FileKind.Other;
        if (kind != FileKind.Regular)
        {
            handle.Dispose();
            throw NotRegular(path, UnixFile.Describe(kind));
        }

        return ReadBounded(handle, path, limit);
    }

    private static byte[] ReadBounded(SafeFileHandle handle, string path, int limit)
    {
        using (handle)
        {
            // The size is checked first for a clear message, and the read is bounded too: a file may grow meanwhile.
            var length = RandomAccess.GetLength(handle);
            return length > limit
                ? throw TooLarge(path, limit)
                : UnixFile.ReadBounded(handle, limit, length) ?? throw TooLarge(path, limit);
        }
    }

    private static DockerHostConfigurationException NotRegular(string path, string what)
        => new(
            DockerHostConfigurationError.UnsupportedFile,
            $"Could not read '{path}': it is {what}, not a regular file. Point the option at the regular file that holds the configuration; nothing was changed.",
            path);

    private static DockerHostConfigurationException TooLarge(string path, int limit)
        => new(
            DockerHostConfigurationError.UnsupportedFile,
            $"Could not read '{path}': it holds more than {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes, far more than such a file holds. Check that the option names the right file; nothing was changed.",
            path);

    /// <summary>Reads a regular file as <see cref="ReadIfExists"/> does, off the caller's thread (the checks that keep a
    /// FIFO or device from blocking are synchronous system calls).</summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">The most bytes it may hold.</param>
    /// <param name="cancellationToken">Cancels the read before it starts.</param>
    /// <returns>Its bytes, or <see langword="null"/> when it does not exist.</returns>
    internal static Task<byte[]?> ReadIfExistsAsync(string path, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => ReadIfExists(path, limit), cancellationToken);
    }

    /// <summary>Replaces (or creates) a host file atomically with the shared writer: the existing file's mode is kept
    /// (0644 for a new one), a symbolic link stays a link (the file it names is replaced), and a missing folder is
    /// created 0755, as Docker's own folders are.</summary>
    /// <param name="path">The file.</param>
    /// <param name="content">The whole new content.</param>
    /// <returns>A task that completes when the file is in place and flushed.</returns>
    /// <remarks>Not cancellable: callers honour cancellation up to their first write and never between two files,
    /// so a host is never left half-edited.</remarks>
    /// <exception cref="DockerHostConfigurationException">The file or its folder could not be written.</exception>
    internal static async Task WriteAsync(string path, byte[] content)
    {
        try
        {
            await AtomicFile.ReplaceAsync(path, content, HostChoices, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw AccessError(path, "write", e);
        }
    }

    private static readonly AtomicFileChoices HostChoices = new()
    {
        Mode = DefaultFileMode,
        KeepExistingMode = true,
        ReplaceLinkTarget = true,
        CreateDirectoryMode = DefaultDirectoryMode,
    };

    private static DockerHostConfigurationException AccessError(string path, string verb, Exception? inner)
        => new(
            DockerHostConfigurationError.FileAccess,
            $"Could not {verb} '{path}': {inner?.Message ?? "the path has no folder"}. Run as a user who may change it (usually root), or point the option at another path.",
            path,
            innerException: inner);
}
