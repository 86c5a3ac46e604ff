namespace Registries.Core.HostConfiguration;

/// <summary>One file an operation looked at, and what it did (or would do) to it.</summary>
public sealed class HostFileChange
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What was done to it.</param>
    /// <param name="description">A sentence for people, for example <c>added 'registry:5000' to insecure-registries</c>.</param>
    public HostFileChange(string path, FileChangeKind kind, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(description);
        Path = path;
        Kind = kind;
        Description = description;
    }

    /// <summary>Gets the file.</summary>
    public string Path { get; }

    /// <summary>Gets what was (or would be) done to it.</summary>
    public FileChangeKind Kind { get; }

    /// <summary>Gets a sentence for people that says what changed.</summary>
    public string Description { get; }

    /// <summary>Returns <c>Kind path: description</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Kind} {Path}: {Description}";
}
