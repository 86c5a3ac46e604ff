using System.Globalization;
using System.Runtime.InteropServices;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Finds a program in absolute folders and tells whether it may be run on behalf of the library: a regular,
/// executable file that no other user can replace.</summary>
/// <remarks>
/// <para>A program (and the folder it is found in, and the folder of the file a link leads to) must be owned by root or
/// by the user this process runs as, and must not be writable by its group or by others: otherwise another user could
/// swap in a program of their own, which would then run with this process's rights and see its answers. Links are
/// followed to the file they lead to, whose owner and mode are the ones checked.</para>
/// </remarks>
internal static partial class TrustedProgram
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    private const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Returns the first folder's executable file of that name, or <see langword="null"/>.</summary>
    /// <param name="directories">Absolute folders, in order.</param>
    /// <param name="program">The file name.</param>
    /// <returns>The path, or <see langword="null"/> when no folder holds an executable file of that name.</returns>
    public static string? Find(IEnumerable<string> directories, string program)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd", program } : [program];
        foreach (var directory in directories)
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & Executable) != 0))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Tells why a program may not be run, or <see langword="null"/> when it may.</summary>
    /// <param name="path">The program's absolute path.</param>
    /// <param name="what">What it is, for the message ("the credential helper docker-credential-pass").</param>
    /// <returns>The reason (what is wrong and what to fix), or <see langword="null"/>.</returns>
    public static string? Distrust(string path, string what)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var euid = GetEffectiveUserId();
        var errno = UnixFile.Stat(path, followLinks: true, out var target);
        if (errno != 0)
        {
            return $"{what} '{path}' could not be examined: {UnixFile.ErrorMessage(errno)}.";
        }

        if (target.Kind != FileKind.Regular)
        {
            return $"{what} '{path}' is {UnixFile.Describe(target.Kind)}, not a regular file: give the program itself.";
        }

        if ((target.Permissions & Executable) == 0)
        {
            return $"{what} '{path}' is not executable: chmod 755 it.";
        }

        var resolved = ResolveLinks(path);
        var checks = new List<(string Path, string Kind)> { (resolved, "file") };
        foreach (var folder in new[] { Path.GetDirectoryName(path), Path.GetDirectoryName(resolved) })
        {
            if (folder is not null && !checks.Any(c => c.Path == folder))
            {
                checks.Add((folder, "folder"));
            }
        }

        foreach (var (checkedPath, kind) in checks)
        {
            errno = UnixFile.Stat(checkedPath, followLinks: true, out var status);
            if (errno != 0)
            {
                return $"{what}: its {kind} '{checkedPath}' could not be examined: {UnixFile.ErrorMessage(errno)}.";
            }

            if (status.Owner != 0 && status.Owner != euid)
            {
                return $"{what} is refused: its {kind} '{checkedPath}' is owned by uid {status.Owner.ToString(CultureInfo.InvariantCulture)}, neither root nor this process's user ({euid.ToString(CultureInfo.InvariantCulture)}), who could replace it: have root or this user own it.";
            }

            // A sticky folder (/tmp) still lets any user add files: not a place for programs either.
            if ((status.Permissions & WritableByOthers) != 0)
            {
                return $"{what} is refused: its {kind} '{checkedPath}' is writable by other users (mode {Convert.ToString((int)status.Permissions, 8)}), who could replace it: chmod go-w it.";
            }
        }

        return null;
    }

    private static string ResolveLinks(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
