namespace Registries.Core.FileStore;

/// <summary>Replaces a file so that a crash at any moment leaves either the old or the new content, never a mix.</summary>
internal static class AtomicFile
{
    /// <summary>The mode of a new file that holds anything about credentials: owner read and write only (0600).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Returns the name prefix of the temporary files written next to <paramref name="path"/>.</summary>
    /// <param name="path">The target file.</param>
    /// <returns>The prefix, for example <c>.store.json.</c>.</returns>
    public static string TemporaryPrefix(string path) => "." + Path.GetFileName(path) + ".";

    /// <summary>Writes <paramref name="content"/> to a temporary file in the same folder, flushes it to disk, and renames it over <paramref name="path"/>.</summary>
    /// <remarks>The new file has exactly <paramref name="mode"/>, whatever the umask and whatever mode the old file had.
    /// Give the final target of a link (<see cref="PrivateFile.ResolveTarget"/>): a link given here would be replaced
    /// by a regular file.</remarks>
    /// <param name="path">The target file.</param>
    /// <param name="content">The new content.</param>
    /// <param name="mode">The Unix mode of the new file.</param>
    /// <exception cref="IOException">The write failed; the target is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable; the target is unchanged.</exception>
    public static void Replace(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var temporary = WriteTemporary(path, content, mode);
        try
        {
            // rename(2) replaces the name in one step: readers see the old inode or the new one.
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        NativeMethods.TryFlushDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/> only if it does not exist yet, in one step.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="content">The content.</param>
    /// <param name="mode">The Unix mode of the new file.</param>
    /// <returns><see langword="true"/> when this call created the file; <see langword="false"/> when it already existed.</returns>
    /// <exception cref="IOException">The write failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public static bool CreateExclusive(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var temporary = WriteTemporary(path, content, mode);
        try
        {
            bool created;
            if (NativeMethods.IsPosix)
            {
                // link(2) publishes the complete file under its name, and fails if another process was first.
                created = NativeMethods.TryLinkExclusive(temporary, path);
            }
            else
            {
                try
                {
                    File.Move(temporary, path, overwrite: false);
                    created = true;
                }
                catch (IOException) when (File.Exists(path))
                {
                    created = false;
                }
            }

            if (created)
            {
                NativeMethods.TryFlushDirectory(Path.GetDirectoryName(path)!);
            }

            return created;
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Deletes temporary files that a crashed writer left next to <paramref name="path"/>.</summary>
    /// <remarks>Call it only while holding the store's write lock: every writer writes its temporary file under that
    /// lock, so none of them is in use.</remarks>
    /// <param name="path">The target file.</param>
    /// <returns>How many files were deleted.</returns>
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
            // Exactly PREFIX + 32 hex digits + .tmp: not the temporary file of another name that shares the prefix
            // (the key file's, '.store.json.key.*.tmp', is written without this lock).
            var middle = Path.GetFileName(leftover.AsSpan())[prefix.Length..^".tmp".Length];
            if (middle.Length == 32 && !middle.ContainsAnyExcept("0123456789abcdef") && TryDelete(leftover))
            {
                deleted++;
            }
        }

        return deleted;
    }

    private static string WriteTemporary(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, TemporaryPrefix(path) + Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using var stream = new FileStream(temporary, options);
            if (!OperatingSystem.IsWindows())
            {
                // The create mode passes through the umask (umask 0777 would give 0000): set it exactly.
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
            }

            stream.Write(content);

            // fsync before the rename: otherwise a power loss may publish a name whose data never reached the disk.
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        return temporary;
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
            // A leftover temporary file is harmless: the next writer removes it under the lock.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
            return false;
        }
    }
}
