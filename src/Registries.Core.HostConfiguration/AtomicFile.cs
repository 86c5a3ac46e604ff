using System.Security;

namespace Registries.Core.HostConfiguration;

/// <summary>Reads and replaces host files so that a reader never sees half a file and the file keeps its permissions.</summary>
internal static class AtomicFile
{
    internal const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    internal const UnixFileMode DefaultDirectoryMode =
        DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Reads a file, or returns <see langword="null"/> when it does not exist.</summary>
    internal static byte[]? ReadIfExists(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw AccessError(path, "read", e);
        }
    }

    /// <summary>Replaces (or creates) a file: a temporary file in the same folder, flushed to disk, then renamed over it.</summary>
    internal static void Write(string path, byte[] content)
    {
        string fullPath;
        try
        {
            fullPath = ResolveLinks(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw AccessError(path, "write", e);
        }

        var directory = Path.GetDirectoryName(fullPath) ?? throw AccessError(path, "write", null);
        var temp = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            if (!Directory.Exists(directory))
            {
                CreateDirectory(directory);
            }

            var mode = File.Exists(fullPath) && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(fullPath) : DefaultFileMode;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // UnixCreateMode is filtered by the umask; set the mode again so the original one is kept exactly.
                File.SetUnixFileMode(temp, mode);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            TryDelete(temp);
            throw AccessError(path, "write", e);
        }
    }

    // A symbolic link (daemon.json kept by configuration management, a bundle linked elsewhere) stays a link:
    // the file it points to is replaced instead.
    private static string ResolveLinks(string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (info.LinkTarget is null)
        {
            return fullPath;
        }

        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fullPath;
    }

    /// <summary>Creates a folder (and its parents) with mode 0755.</summary>
    internal static void CreateDirectory(string directory)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, DefaultDirectoryMode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw AccessError(directory, "create", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a leftover temporary file.
        }
    }

    private static DockerHostConfigurationException AccessError(string path, string verb, Exception? inner)
        => new(
            DockerHostConfigurationError.FileAccess,
            $"Could not {verb} '{path}': {inner?.Message ?? "the path has no folder"}. Run as a user who may change it (usually root), or point the option at another path.",
            path,
            innerException: inner);
}
