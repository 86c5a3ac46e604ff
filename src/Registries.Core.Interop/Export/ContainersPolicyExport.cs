using System.Text;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>An environment's policy and mirrors, ready to be written as containers' <c>registries.conf</c> and
/// <c>policy.json</c>, for podman, skopeo, buildah and CRI-O.</summary>
/// <remarks>
/// <para><c>registries.conf</c> (version 2) holds the mirrors, in order, each upstream a <c>[[registry]]</c> table with
/// <c>[[registry.mirror]]</c> entries: a rewrite that swaps a path prefix becomes a table at that prefix; a mirror-only
/// upstream's last mirror becomes the table's <c>location</c>, so the upstream itself is never contacted; a deny rule
/// is a <c>blocked = true</c> table; a digest-only rule on a mirrored upstream sets <c>mirror-by-digest-only</c>.
/// <c>policy.json</c> holds the policy: the default rejects when there is an allow rule (accepts otherwise), each
/// allowed scope is accepted and each denied one rejected under <c>transports.docker</c>, with an allow rule under a
/// deny rule written as a reject, because policy.json lets the most specific scope decide where ours lets a covering
/// deny rule win.</para>
/// <para>Neither file is ever wider than the environment: what a file cannot hold is left narrower or out, and listed
/// by <see cref="GetNotes(ContainersPolicyFormat)"/>; <see cref="EnsureExpressible(ContainersPolicyFormat)"/> is the
/// strict form. What a format cannot hold whatever the environment is stated by <see cref="DescribeLimits(ContainersPolicyFormat)"/>.
/// No secret: credentials go in containers <c>auth.json</c> (<see cref="DockerConfigExport.ToContainersAuthJson"/>).
/// Immutable and thread-safe.</para>
/// </remarks>
public sealed class ContainersPolicyExport
{
    // The files are configuration, not secrets: readable by the runtimes' users, as /etc/containers ships them.
    private static readonly AtomicFileChoices ConfigurationFile = new()
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        CreateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
    };

    private readonly byte[] _registriesConf;
    private readonly byte[] _policyJson;
    private readonly IReadOnlyList<string> _registriesConfNotes;
    private readonly IReadOnlyList<string> _policyJsonNotes;

    private ContainersPolicyExport(RegistryPolicy policy, RegistryMirrors mirrors)
    {
        Policy = policy;
        Mirrors = mirrors;
        (_registriesConf, _registriesConfNotes) = RegistriesConfDocument.Build(policy, mirrors);
        (_policyJson, _policyJsonNotes) = PolicyJsonDocument.Build(policy);
    }

    /// <summary>Gets the policy exported.</summary>
    public RegistryPolicy Policy { get; }

    /// <summary>Gets the mirrors exported.</summary>
    public RegistryMirrors Mirrors { get; }

    /// <summary>Returns the export of a policy and mirrors (what <see cref="ContainersPolicyExporter"/> reads from an environment).</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="mirrors">The mirrors.</param>
    /// <returns>The export.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ContainersPolicyExport Create(RegistryPolicy policy, RegistryMirrors mirrors)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(mirrors);
        return new ContainersPolicyExport(policy, mirrors);
    }

    /// <summary>Renders <c>registries.conf</c> (version 2 TOML).</summary>
    /// <returns>The TOML.</returns>
    public string ToRegistriesConf() => Encoding.UTF8.GetString(_registriesConf);

    /// <summary>Renders <c>policy.json</c>.</summary>
    /// <returns>Indented JSON.</returns>
    public string ToPolicyJson() => Encoding.UTF8.GetString(_policyJson);

    /// <summary>Renders a format.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The document.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public string Render(ContainersPolicyFormat format) => Encoding.UTF8.GetString(Bytes(format));

    /// <summary>Writes a format atomically (mode 0644; its folder, when missing, 0755); a symbolic link at the path is replaced, never followed.</summary>
    /// <param name="format">The format.</param>
    /// <param name="path">The file, for example <c>/etc/containers/registries.conf.d/50-registries.conf</c> or <c>/etc/containers/policy.json</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public Task WriteAsync(ContainersPolicyFormat format, string path, CancellationToken cancellationToken = default)
    {
        var content = Bytes(format);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return AtomicFile.ReplaceAsync(path, content, ConfigurationFile, cancellationToken);
    }

    /// <summary>Gets where a format is not exactly the environment's policy and mirrors: always narrower, never wider; no secrets.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The notes, one sentence each; empty when the file holds everything exactly.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public IReadOnlyList<string> GetNotes(ContainersPolicyFormat format) => format switch
    {
        ContainersPolicyFormat.RegistriesConf => _registriesConfNotes,
        ContainersPolicyFormat.PolicyJson => _policyJsonNotes,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined ContainersPolicyFormat."),
    };

    /// <summary>Refuses a format that cannot hold the environment's policy and mirrors exactly.</summary>
    /// <param name="format">The format.</param>
    /// <remarks>The strict form of an export (<c>export --strict</c>): without it the differences are only listed in <see cref="GetNotes(ContainersPolicyFormat)"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <exception cref="ContainersPolicyExportRefusedException">The format cannot hold something; the message lists each difference.</exception>
    public void EnsureExpressible(ContainersPolicyFormat format)
    {
        var notes = GetNotes(format);
        if (notes.Count > 0)
        {
            throw new ContainersPolicyExportRefusedException(format, notes);
        }
    }

    /// <summary>Says what a format cannot hold, whatever the environment holds.</summary>
    /// <param name="format">The format.</param>
    /// <returns>Sentences, no secret.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static string DescribeLimits(ContainersPolicyFormat format) => format switch
    {
        ContainersPolicyFormat.RegistriesConf =>
            "containers registries.conf holds mirrors and deny rules (blocked), not the allow list or digest-only rules (policy.json does), nor credentials (containers-auth) or TLS (certs.d). "
            + "containers/image lets a host prefix also match that host with any port (example.com takes example.com:5000), so a portless upstream's mirrors and blocks reach its other ports; "
            + "a prefix swap rewrite also takes the repository named exactly like its prefix; mirrors are read on pulls only, pushes go to the name given.",
        ContainersPolicyFormat.PolicyJson =>
            "containers policy.json holds allow and deny rules: the default rejects when there is an allow rule, and then applies to every transport (archives, dir, oci) too; "
            + "it cannot require a digest (digest-only scopes are rejected) nor accept exactly one label under a host pattern (pattern allow rules are left to the default reject); "
            + "it matches host names as written (lowercase here). skopeo enforces it on copy, not on inspect.",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined ContainersPolicyFormat."),
    };

    /// <summary>Describes the export.</summary>
    /// <returns>For example <c>containers policy: 3 rules, 2 mirrors</c>.</returns>
    public override string ToString() => $"containers policy: {Policy.Rules.Length} rules, {Mirrors.All.Length} mirrors";

    private byte[] Bytes(ContainersPolicyFormat format) => format switch
    {
        ContainersPolicyFormat.RegistriesConf => _registriesConf,
        ContainersPolicyFormat.PolicyJson => _policyJson,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined ContainersPolicyFormat."),
    };
}
