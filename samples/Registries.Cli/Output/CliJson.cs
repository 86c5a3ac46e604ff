using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Registries.Core;

namespace Registries.Cli.Output;

// The documents printed by --json. Their field names and values are a contract (samples/Registries.Cli/README.md):
// camelCase names, lowercase enum values, absent fields left out rather than null.
internal sealed record EnvironmentJson(string Id, string Name, string Orchestration, string? Role, IReadOnlyList<MemberJson> Members)
{
    public static EnvironmentJson From(RegistryEnvironment environment, string actor)
        => new(
            environment.Id,
            environment.Name,
            CliNames.Of(environment.Orchestration),
            environment.RoleOf(actor) is { } role ? CliNames.Of(role) : null,
            environment.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new MemberJson(m.Key, CliNames.Of(m.Value))).ToArray());
}

internal sealed record MemberJson(string User, string Role);

internal sealed record RegistryJson(
    string Id,
    string EnvironmentId,
    string Address,
    string Kind,
    string State,
    string Username,
    string Email,
    long Sequence,
    bool Effective,
    bool Overridden)
{
    public static RegistryJson From(RegistryEntry entry)
    {
        var registry = entry.Registry;
        return new(
            registry.Id,
            registry.EnvironmentId,
            registry.Address.ToString(),
            CliNames.Of(registry.Kind),
            CliNames.Of(registry.State),
            registry.Username,
            registry.Email,
            registry.Sequence,
            entry.IsEffective,
            entry.IsOverridden);
    }
}

// A resolution, without its password: the CLI answers which credential would be used, never what it is.
internal sealed record ResolutionJson(string Image, string Registry, string Outcome, string? Username, string? RegistryId, string? Reason)
{
    public static ResolutionJson From(CredentialResolution resolution)
        => new(
            resolution.Image.ToString(),
            resolution.Registry.ToString(),
            CliNames.Of(resolution.Outcome),
            resolution.Username,
            resolution.RegistryId,
            resolution.Reason);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnvironmentJson))]
[JsonSerializable(typeof(IReadOnlyList<EnvironmentJson>))]
[JsonSerializable(typeof(RegistryJson))]
[JsonSerializable(typeof(IReadOnlyList<RegistryJson>))]
[JsonSerializable(typeof(ResolutionJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    // Relaxed escaping: the output is read by people and JSON parsers, never embedded in HTML, so 'é' and '+' stay as
    // they are. Built on first use: the generated Default must be initialized first.
    private static CliJsonContext? _output;

    public static CliJsonContext Output => _output ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
