using Microsoft.Extensions.Options;

namespace Registries.Core.FileStore;

/// <summary>The rules of <see cref="FileStoreOptions"/>: checked at start (<c>ValidateOnStart</c>) and by the constructors.</summary>
/// <remarks>Only the values are checked, never the file system: a folder, a pipe or another user's file at the path is
/// refused by the store on first use, where the error can name what it found.</remarks>
internal sealed class FileStoreOptionsValidator : IValidateOptions<FileStoreOptions>
{
    /// <summary>The longest lock wait accepted: a writer that waits longer hides a stuck process instead of reporting it.</summary>
    internal static readonly TimeSpan MaxLockTimeout = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, FileStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var path = CheckFilePath(options.Path, "Path", "registries.json", failures);
        var keyPath = options.KeyPath is null ? null : CheckFilePath(options.KeyPath, "KeyPath", "registries.json.key", failures);
        if (path is not null && keyPath is not null && string.Equals(path, keyPath, StringComparison.Ordinal))
        {
            failures.Add($"FileStoreOptions.KeyPath is the store file itself ('{path}'); give the key its own file, for example '{path}.key', or leave KeyPath unset for that default.");
        }

        if (options.LockTimeout <= TimeSpan.Zero || options.LockTimeout > MaxLockTimeout)
        {
            failures.Add($"FileStoreOptions.LockTimeout is {options.LockTimeout}; give a wait between a millisecond and {MaxLockTimeout.TotalHours:0} hour, for example 30 seconds (the default).");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    // Returns the full path, or null (with a failure) when the value cannot name a file.
    private static string? CheckFilePath(string? value, string property, string example, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add(property == "Path"
                ? $"FileStoreOptions.Path is not set; give the store file, for example '/var/lib/registries/{example}'."
                : $"FileStoreOptions.{property} is empty; give a file, for example '/var/lib/registries/{example}', or leave it unset for the default.");
            return null;
        }

        string full;
        try
        {
            full = Path.GetFullPath(value);
        }
        catch (ArgumentException)
        {
            failures.Add($"FileStoreOptions.{property} is not a valid path (it holds a character that no file name may hold); give a file such as '/var/lib/registries/{example}'.");
            return null;
        }

        if (string.IsNullOrEmpty(Path.GetFileName(full)))
        {
            failures.Add($"FileStoreOptions.{property} '{value}' names a folder; give a file in it, such as '{Path.Combine(value, example)}'.");
            return null;
        }

        return full;
    }
}
