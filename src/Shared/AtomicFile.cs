using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Registries.Core.Shared;

/// <summary>What differs between the packages that replace a file atomically, stated by each caller.</summary>
/// <remarks>What does not differ is not a choice: every write goes to a temporary file beside the target, created with
/// its final mode (set exactly, whatever the umask), flushed to disk, renamed over the target in one step, and then
/// the folder is flushed, so that a crash or a power loss leaves the old file or the new one, never a mix, and a
/// reader never sees a file more open than it will end up.</remarks>
internal readonly record struct AtomicFileChoices
{
    /// <summary>Gets the mode of a file that did not exist yet (and of every file, unless <see cref="KeepExistingMode"/>).</summary>
    public required UnixFileMode Mode { get; init; }

    /// <summary>Gets a value indicating whether an existing file keeps its own mode (a host file an operator set up),
    /// rather than getting <see cref="Mode"/> (a file that holds secrets always gets its private mode back).</summary>
    public bool KeepExistingMode { get; init; }

    /// <summary>Gets a value indicating whether a symbolic link stays a link, the file it points to being replaced
    /// (daemon.json kept by configuration management); otherwise the caller has resolved or refused links itself.</summary>
    public bool ReplaceLinkTarget { get; init; }

    /// <summary>Gets the mode of the folder to create when it is missing, or <see langword="null"/> when the folder
    /// must already exist (the caller created it with its own checks).</summary>
    public UnixFileMode? CreateDirectoryMode { get; init; }
}

/// <summary>Replaces or creates files in one step, with one set of guarantees for every package (see
/// <see cref="AtomicFileChoices"/>): the file store, host configuration and Interop link this one source.</summary>
/// <remarks>It knows no package's exceptions: failures are the <see cref="IOException"/> and
/// <see cref="UnauthorizedAccessException"/> .NET throws, and each package turns them into its own messages. A
/// temporary file left by a crash is named <c>.NAME.&lt;32 hex digits&gt;.tmp</c> (see <see cref="DeleteLeftovers"/>).</remarks>
internal static partial class AtomicFile
{
    /// <summary>Read and write for the owner only: the mode of every file that holds a secret.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Returns the start of the names of the temporary files written for <paramref name="path"/>.</summary>
    /// <param name="path">The target.</param>
    /// <returns>The prefix.</returns>
    public static string TemporaryPrefix(string path) => "." + Path.GetFileName(path) + ".";

    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="content"/> in one step.</summary>
    /// <param name="path">The target.</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="choices">What this caller needs.</param>
    public static void Replace(string path, ReadOnlySpan<byte> content, AtomicFileChoices choices)
    {
        var (target, mode) = Prepare(path, choices);
        var temporary = CreateTemporary(target, mode, out var stream);
        try
        {
            using (stream)
            {
                stream.Write(content);

                // fsync before the rename: otherwise a power loss may publish a name whose data never reached the disk.
                stream.Flush(flushToDisk: true);
            }

            Publish(temporary, target);
        }
        catch
        {
            _ = TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="content"/> in one step, writing asynchronously.</summary>
    /// <param name="path">The target.</param>
    /// <param name="content">The whole new content.</param>
    /// <param name="choices">What this caller needs.</param>
    /// <param name="cancellationToken">Cancels the write; once the rename has begun the new file is published.</param>
    /// <returns>A task that completes when the new file is in place and flushed.</returns>
    public static async Task ReplaceAsync(string path, ReadOnlyMemory<byte> content, AtomicFileChoices choices, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (target, mode) = Prepare(path, choices);
        var temporary = CreateTemporary(target, mode, out var stream);
        try
        {
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            Publish(temporary, target);
        }
        catch
        {
            _ = TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/> unless it exists, in one step.</summary>
    /// <param name="path">The target (its folder exists).</param>
    /// <param name="content">The whole content.</param>
    /// <param name="mode">The file's mode.</param>
    /// <returns><see langword="true"/> when this call created it; <see langword="false"/> when another process was first.</returns>
    /// <remarks>The complete file appears under its name at once (<c>link(2)</c> of a finished temporary file), so a
    /// second process never reads a half-written file, and exactly one of two racing creators wins.</remarks>
    public static bool CreateExclusive(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var temporary = CreateTemporary(path, mode, out var stream);
        try
        {
            using (stream)
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            var created = TryLinkExclusive(temporary, path);
            if (created)
            {
                TryFlushDirectory(Path.GetDirectoryName(path)!);
            }

            return created;
        }
        finally
        {
            _ = TryDelete(temporary);
        }
    }

    /// <summary>Deletes the temporary files a crashed writer of <paramref name="path"/> left behind.</summary>
    /// <param name="path">The target.</param>
    /// <returns>How many were deleted.</returns>
    /// <remarks>Call it only while holding the lock that serializes the writers of <paramref name="path"/>. Only names
    /// of exactly the form this class writes (prefix, 32 hex digits, <c>.tmp</c>) are deleted, never the temporary
    /// file of another name that shares the prefix (the file store's key file, <c>.store.json.key.*.tmp</c>, is
    /// written without that lock).</remarks>
    public static int DeleteLeftovers(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var deleted = 0;
        var prefix = TemporaryPrefix(path);
        foreach (var leftover in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            var middle = Path.GetFileName(leftover.AsSpan())[prefix.Length..^".tmp".Length];
            if (middle.Length == 32 && !middle.ContainsAnyExcept("0123456789abcdef") && TryDelete(leftover))
            {
                deleted++;
            }
        }

        return deleted;
    }

    private static (string Target, UnixFileMode Mode) Prepare(string path, AtomicFileChoices choices)
    {
        var target = Path.GetFullPath(path);
        if (choices.ReplaceLinkTarget && new FileInfo(target).LinkTarget is not null)
        {
            target = new FileInfo(target).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? target;
        }

        var directory = Path.GetDirectoryName(target) ?? throw new IOException($"'{path}' has no folder.");
        if (choices.CreateDirectoryMode is { } directoryMode && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, directoryMode);
            }
        }

        var mode = choices.Mode;
        if (choices.KeepExistingMode && !OperatingSystem.IsWindows() && File.Exists(target))
        {
            mode = File.GetUnixFileMode(target);
        }

        return (target, mode);
    }

    private static string CreateTemporary(string target, UnixFileMode mode, out FileStream stream)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, TemporaryPrefix(target) + Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        stream = new FileStream(temporary, options);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                // The create mode passes through the umask (umask 0777 would give 0000): set it exactly, before any byte.
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
            }
        }
        catch
        {
            stream.Dispose();
            _ = TryDelete(temporary);
            throw;
        }

        return temporary;
    }

    private static void Publish(string temporary, string target)
    {
        // rename(2) replaces the name in one step: readers see the old inode or the new one.
        File.Move(temporary, target, overwrite: true);
        TryFlushDirectory(Path.GetDirectoryName(target)!);
    }

    private static bool IsPosix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    private static void TryFlushDirectory(string directory)
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

    private static bool TryLinkExclusive(string source, string target)
    {
        if (IsPosix)
        {
            if (Link(source, target) == 0)
            {
                return true;
            }

            if (File.Exists(target) || Directory.Exists(target))
            {
                return false;
            }
        }

        // No hard links here (Windows, some network and FUSE mounts): a rename that refuses an existing target.
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

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            // A leftover temporary file is harmless (DeleteLeftovers removes it); the original error matters more.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string source, string target);
}
