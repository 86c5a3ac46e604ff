namespace Registries.Core.Interop;

/// <summary>A strict export refused a containers file that cannot hold the environment's policy and mirrors exactly (see <see cref="ContainersPolicyExport.EnsureExpressible(ContainersPolicyFormat)"/>).</summary>
/// <remarks>The message lists every difference; policy and mirrors hold no secret.</remarks>
public sealed class ContainersPolicyExportRefusedException : RegistryRuleException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="format">The format refused.</param>
    /// <param name="notes">What the format cannot hold, one sentence each.</param>
    public ContainersPolicyExportRefusedException(ContainersPolicyFormat format, IReadOnlyList<string> notes)
        : base($"Refused to export as {format}: {string.Join(" ", notes ?? [])}")
    {
        Format = format;
        Notes = notes ?? [];
    }

    /// <summary>Gets the format refused.</summary>
    public ContainersPolicyFormat Format { get; }

    /// <summary>Gets what the format cannot hold, one sentence each.</summary>
    public IReadOnlyList<string> Notes { get; }
}
