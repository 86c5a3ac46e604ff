namespace Registries.Core.Interop;

/// <summary>A strict export refused to write containerd's host configuration because containerd cannot hold something
/// the environment has (see <see cref="ContainerdHostsExport.EnsureExpressible"/>).</summary>
/// <remarks>The message says what and why; it holds no secret.</remarks>
public sealed class ContainerdHostsExportRefusedException : RegistryRuleException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="problems">What containerd cannot hold, one sentence each.</param>
    /// <exception cref="ArgumentNullException"><paramref name="problems"/> is <see langword="null"/>.</exception>
    public ContainerdHostsExportRefusedException(IReadOnlyList<string> problems)
        : base($"Refused to export as containerd-hosts: {string.Join(" ", problems ?? throw new ArgumentNullException(nameof(problems)))}")
    {
        Problems = problems;
    }

    /// <summary>Gets what containerd cannot hold, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
