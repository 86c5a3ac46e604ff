namespace Registries.Core.HostConfiguration;

/// <summary>What an operation did (or, in a dry run, would do) to one file.</summary>
public enum FileChangeKind
{
    /// <summary>The file already said what was asked; it was not written.</summary>
    Unchanged,

    /// <summary>The file did not exist and was created.</summary>
    Created,

    /// <summary>The file existed and was rewritten.</summary>
    Updated,
}
