using Registries.Core;

namespace Registries.Cli.Output;

// The lowercase names the CLI reads and prints for the library's enums.
internal static class CliNames
{
    public static readonly string[] Orchestrations = ["cattle", "kubernetes", "swarm", "mesos"];

    public static readonly string[] Roles = ["owner", "member", "readonly"];

    public static string Of(OrchestrationKind kind) => kind switch
    {
        OrchestrationKind.Cattle => "cattle",
        OrchestrationKind.Kubernetes => "kubernetes",
        OrchestrationKind.Swarm => "swarm",
        OrchestrationKind.Mesos => "mesos",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown orchestration kind."),
    };

    public static string Of(EnvironmentRole role) => role switch
    {
        EnvironmentRole.Owner => "owner",
        EnvironmentRole.Member => "member",
        EnvironmentRole.ReadOnly => "readonly",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static string Of(RegistryKind kind) => kind switch
    {
        RegistryKind.DockerHub => "dockerhub",
        RegistryKind.Quay => "quay",
        RegistryKind.Custom => "custom",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown registry kind."),
    };

    public static string Of(RegistryState state) => state switch
    {
        RegistryState.Active => "active",
        RegistryState.Inactive => "inactive",
        RegistryState.Removed => "removed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown registry state."),
    };

    public static string Of(ResolutionOutcome outcome) => outcome switch
    {
        ResolutionOutcome.Authenticated => "authenticated",
        ResolutionOutcome.Anonymous => "anonymous",
        ResolutionOutcome.Denied => "denied",
        ResolutionOutcome.Unavailable => "unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown outcome."),
    };

    public static string Of(PolicyEffect effect) => effect switch
    {
        PolicyEffect.Allow => "allow",
        PolicyEffect.Deny => "deny",
        _ => throw new ArgumentOutOfRangeException(nameof(effect), effect, "Unknown policy effect."),
    };

    public static string Of(CandidateVerdict verdict) => verdict switch
    {
        CandidateVerdict.Effective => "effective",
        CandidateVerdict.Overridden => "overridden",
        CandidateVerdict.LessSpecific => "less-specific",
        CandidateVerdict.Removed => "removed",
        CandidateVerdict.PathDidNotMatch => "path-did-not-match",
        CandidateVerdict.PatternDidNotMatch => "pattern-did-not-match",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict."),
    };

    public static string Of(Registries.Core.Interop.DockerConfigImportStatus status) => status switch
    {
        Registries.Core.Interop.DockerConfigImportStatus.Imported => "imported",
        Registries.Core.Interop.DockerConfigImportStatus.Unchanged => "unchanged",
        Registries.Core.Interop.DockerConfigImportStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown import status."),
    };

    // An instant as the CLI prints it: ISO 8601 in UTC to the second (2027-01-31T18:00:00Z), as --expires reads it.
    public static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    // How long a value lasts from now, for people: "3h 12m", "45s", "expired".
    public static string Remaining(DateTimeOffset at, DateTimeOffset now)
    {
        var left = at - now;
        if (left <= TimeSpan.Zero)
        {
            return "expired";
        }

        return left.TotalDays >= 1 ? $"{(int)left.TotalDays}d {left.Hours}h"
            : left.TotalHours >= 1 ? $"{(int)left.TotalHours}h {left.Minutes}m"
            : left.TotalMinutes >= 1 ? $"{(int)left.TotalMinutes}m {left.Seconds}s"
            : $"{Math.Max(1, (int)left.TotalSeconds)}s";
    }

    public static OrchestrationKind Orchestration(string name) => name switch
    {
        "cattle" => OrchestrationKind.Cattle,
        "kubernetes" => OrchestrationKind.Kubernetes,
        "swarm" => OrchestrationKind.Swarm,
        "mesos" => OrchestrationKind.Mesos,
        _ => throw new ArgumentException($"Unknown orchestration '{name}': use {string.Join(", ", Orchestrations)}."),
    };

    public static EnvironmentRole Role(string name) => name switch
    {
        "owner" => EnvironmentRole.Owner,
        "member" => EnvironmentRole.Member,
        "readonly" => EnvironmentRole.ReadOnly,
        _ => throw new ArgumentException($"Unknown role '{name}': use {string.Join(", ", Roles)}."),
    };

    public static string Of(Registries.Core.Engine.ImagePullError error) => error switch
    {
        Registries.Core.Engine.ImagePullError.Denied => "denied",
        Registries.Core.Engine.ImagePullError.Unauthorized => "unauthorized",
        Registries.Core.Engine.ImagePullError.NotFound => "not-found",
        Registries.Core.Engine.ImagePullError.RegistryUnreachable => "registry-unreachable",
        Registries.Core.Engine.ImagePullError.CertificateNotTrusted => "certificate-not-trusted",
        Registries.Core.Engine.ImagePullError.EngineUnavailable => "engine-unavailable",
        Registries.Core.Engine.ImagePullError.CredentialUnavailable => "credential-unavailable",
        Registries.Core.Engine.ImagePullError.MirrorsFailed => "mirrors-failed",
        _ => "failed",
    };
}
