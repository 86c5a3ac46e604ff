namespace Registries.Core.HostConfiguration;

/// <summary>What adding or removing an insecure registry did (or, in a dry run, would do).</summary>
public sealed class InsecureRegistryResult
{
    internal InsecureRegistryResult(RegistryAddress address, IReadOnlyList<HostFileChange> changes, bool dryRun)
    {
        Address = address;
        Changes = changes;
        DryRun = dryRun;
    }

    /// <summary>Gets the registry.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets each file looked at and what was done to it.</summary>
    public IReadOnlyList<HostFileChange> Changes { get; }

    /// <summary>Gets a value indicating whether this was a dry run: nothing was written, <see cref="Changes"/> is the plan.</summary>
    public bool DryRun { get; }

    /// <summary>Gets a value indicating whether a file changed (or would change), so the Docker daemon must be restarted to see it.</summary>
    public bool RestartRequired => Changes.Any(c => c.Kind != FileChangeKind.Unchanged);
}
