using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Web.Demo;

namespace Registries.Web.Pages;

/// <summary>The Registries page: an environment's registries, their row actions, its policy and mirrors (Owners edit them), and a resolve box.</summary>
/// <param name="registries">The library, acting as the signed-in user.</param>
/// <param name="demo">Names the seeded environment.</param>
/// <param name="logger">Logs what a store fault was, which the page does not show.</param>
public sealed partial class IndexModel(RegistryService registries, IOptions<DemoOptions> demo, ILogger<IndexModel> logger) : PageModel
{
    /// <summary>Gets or sets the chosen environment's id.</summary>
    [BindProperty(SupportsGet = true, Name = "env")]
    public string? EnvironmentId { get; set; }

    /// <summary>Gets or sets the image typed in the resolve box.</summary>
    [BindProperty(SupportsGet = true, Name = "image")]
    public string? Image { get; set; }

    /// <summary>Gets or sets a value indicating whether the resolve box explains its answer (every candidate and its verdict).</summary>
    [BindProperty(SupportsGet = true, Name = "explain")]
    public bool Explain { get; set; }

    /// <summary>Gets or sets the line that says what the last action did.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Gets the one-line error, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets the environments the user is a member of.</summary>
    public IReadOnlyList<RegistryEnvironment> Environments { get; private set; } = [];

    /// <summary>Gets the chosen environment.</summary>
    public RegistryEnvironment? Environment { get; private set; }

    /// <summary>Gets the user's role in it.</summary>
    public EnvironmentRole? Role { get; private set; }

    /// <summary>Gets a value indicating whether the user may add and change registries there.</summary>
    public bool CanManage { get; private set; }

    /// <summary>Gets the entries that are not removed, oldest first.</summary>
    public IReadOnlyList<RegistryListing> Entries { get; private set; } = [];

    /// <summary>Gets how many removed entries are not shown.</summary>
    public int RemovedCount { get; private set; }

    /// <summary>Gets the answer of the resolve box.</summary>
    public CredentialResolution? Resolution { get; private set; }

    /// <summary>Gets the explanation the resolve box shows when <see cref="Explain"/> is set.</summary>
    public ResolutionExplanation? Explanation { get; private set; }

    /// <summary>Gets the instant the page was made, against which stored expiries are marked.</summary>
    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    /// <summary>Gets a value indicating whether the chosen environment is the one the sample seeds on first run.</summary>
    public bool IsSeeded => Environment?.Name == demo.Value.Environment;

    /// <summary>Shows the page, and the resolution of <see cref="Image"/> when one is given.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Environment is not null && !string.IsNullOrWhiteSpace(Image))
        {
            try
            {
                // The explanation holds no password, so any member may read it; a plain resolve needs Owner or Member.
                var image = ImageReference.Parse(Image);
                if (Explain)
                {
                    Explanation = await registries.ExplainAsync(Environment.Id, image, cancellationToken);
                }
                else
                {
                    Resolution = await registries.ResolveAsync(Environment.Id, image, cancellationToken);
                }
            }
            catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
            {
                Error = line;
            }
        }

        return Page();
    }

    /// <summary>Deactivates an active entry: pulls from its address are then denied.</summary>
    /// <param name="id">The entry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the list, or the page with an error.</returns>
    public Task<IActionResult> OnPostDeactivateAsync(string? id, CancellationToken cancellationToken) =>
        ActAsync(id, (environmentId, registryId, token) => registries.DeactivateRegistryAsync(environmentId, registryId, cancellationToken: token), "Deactivated", cancellationToken);

    /// <summary>Activates an inactive entry again, without its password.</summary>
    /// <param name="id">The entry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the list, or the page with an error.</returns>
    public Task<IActionResult> OnPostActivateAsync(string? id, CancellationToken cancellationToken) =>
        ActAsync(id, (environmentId, registryId, token) => registries.ActivateRegistryAsync(environmentId, registryId, cancellationToken: token), "Activated", cancellationToken);

    /// <summary>Deletes an inactive entry and erases its password.</summary>
    /// <param name="id">The entry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the list, or the page with an error.</returns>
    public Task<IActionResult> OnPostDeleteAsync(string? id, CancellationToken cancellationToken) =>
        ActAsync(id, (environmentId, registryId, token) => registries.DeleteRegistryAsync(environmentId, registryId, cancellationToken: token), "Deleted", cancellationToken);

    /// <summary>Drops the value an entry's source gave, so that the next resolution asks the source again.</summary>
    /// <param name="id">The entry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the list, or the page with an error.</returns>
    public Task<IActionResult> OnPostRefreshAsync(string? id, CancellationToken cancellationToken) =>
        ActAsync(
            id,
            async (environmentId, registryId, token) =>
            {
                await registries.RefreshRegistryAsync(environmentId, registryId, token);
                return (await registries.GetRegistryAsync(environmentId, registryId, token)).Registry;
            },
            "Refreshed (the next resolution asks its source again)",
            cancellationToken);

    /// <summary>Names where a credential comes from, for the list.</summary>
    /// <param name="source">The source.</param>
    /// <returns>Its name.</returns>
    public static string SourceName(CredentialSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Kind switch
        {
            CredentialSourceKind.Stored => "Password",
            CredentialSourceKind.IdentityToken => "Identity token",
            CredentialSourceKind.CredentialHelper => $"Helper {source.Name}",
            _ => $"Kubelet plugin {source.Name}",
        };
    }

    /// <summary>Describes a resolution in one line, without any password.</summary>
    /// <param name="resolution">The resolution.</param>
    /// <returns>The line.</returns>
    public static string Describe(CredentialResolution resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var image = resolution.Image?.ToString() ?? resolution.Address.ToString();
        return resolution.Outcome switch
        {
            ResolutionOutcome.Authenticated => $"Authenticated: {image} is pulled from {resolution.Address} as {resolution.Username} (registry {resolution.RegistryId}, scope {resolution.MatchedRegistry?.Scope}, {SourceName(resolution.Source!).ToLowerInvariant()}{(resolution.ExpiresAt is { } at ? $", valid until {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture)}" : string.Empty)}).",
            ResolutionOutcome.Anonymous => $"Anonymous: no registry is configured for {resolution.Address}, so {image} is pulled without credentials.",
            ResolutionOutcome.Unavailable => $"Unavailable: registry {resolution.RegistryId} ({SourceName(resolution.Source!).ToLowerInvariant()}) cannot give a credential now, so {image} is not pulled: {resolution.Reason}",
            _ => $"Denied: {resolution.Reason}",
        };
    }

    /// <summary>Describes one place an image would be pulled from (a mirror or the upstream) in one line, without any password.</summary>
    /// <param name="place">The place and the credential resolved there.</param>
    /// <returns>The line.</returns>
    public static string Describe(MirrorResolution place)
    {
        ArgumentNullException.ThrowIfNull(place);
        var where = place.Source.IsUpstream ? $"{place.Source.Image} (the upstream itself)" : $"{place.Source.Image} (mirror)";
        var credential = place.Credential;
        return credential.Outcome switch
        {
            ResolutionOutcome.Authenticated => $"{where}: as {credential.Username} (registry {credential.RegistryId})",
            ResolutionOutcome.Anonymous => $"{where}: without credentials",
            _ => $"{where}: {credential.Outcome.ToString().ToLowerInvariant()}, {credential.Reason}",
        };
    }

    /// <summary>Describes an explanation's answer in one line, without any password.</summary>
    /// <param name="explanation">The explanation.</param>
    /// <returns>The line.</returns>
    public static string Describe(ResolutionExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        return explanation.Outcome switch
        {
            ResolutionOutcome.Authenticated => $"Authenticated: {explanation.Image} is pulled as {explanation.DecidingRegistry!.Username} (registry {explanation.DecidingRegistry.Id}), decided by scope {explanation.DecidingScope}.",
            ResolutionOutcome.Anonymous => $"Anonymous: no scope covers {explanation.Image}, so it is pulled without credentials.",
            _ => $"Denied by registry {explanation.DecidingRegistry?.Id}, scope {explanation.DecidingScope}: {explanation.Reason}",
        };
    }

    /// <summary>Names a verdict as the CLI and the HTTP API do.</summary>
    /// <param name="verdict">The verdict.</param>
    /// <returns>Its name.</returns>
    public static string VerdictName(CandidateVerdict verdict) => verdict switch
    {
        CandidateVerdict.Effective => "effective",
        CandidateVerdict.Overridden => "overridden",
        CandidateVerdict.LessSpecific => "less-specific",
        CandidateVerdict.Removed => "removed",
        CandidateVerdict.PathDidNotMatch => "path-did-not-match",
        CandidateVerdict.PatternDidNotMatch => "pattern-did-not-match",
        _ => verdict.ToString(),
    };

    /// <summary>Names a kind the way Rancher's page does.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its name.</returns>
    public static string KindName(RegistryKind kind) => kind switch
    {
        RegistryKind.DockerHub => "Docker Hub",
        RegistryKind.Quay => "Quay.io",
        _ => "Custom",
    };

    private async Task<IActionResult> ActAsync(string? id, Func<string, string, CancellationToken, ValueTask<Registry>> action, string done, CancellationToken cancellationToken)
    {
        try
        {
            if (string.IsNullOrEmpty(EnvironmentId) || string.IsNullOrEmpty(id))
            {
                throw new ArgumentException("Choose an environment and a registry entry first.");
            }

            var registry = await action(EnvironmentId, id, cancellationToken);
            Notice = $"{done} {registry.Scope} (entry {registry.Id}).";
            return RedirectToPage(new { env = EnvironmentId });
        }
        catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
        {
            Error = line;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var user = User.Identity?.Name ?? string.Empty;
        try
        {
            Environments = await registries.ListEnvironmentsAsync(cancellationToken);
            Environment = string.IsNullOrEmpty(EnvironmentId)
                ? Environments.FirstOrDefault(e => e.Name == demo.Value.Environment) ?? Environments.FirstOrDefault()
                : await registries.GetEnvironmentAsync(EnvironmentId, cancellationToken);
            if (Environment is null)
            {
                return;
            }

            EnvironmentId = Environment.Id;
            Role = Environment.RoleOf(user);
            CanManage = Environment.HasPermission(user, RegistryPermission.ManageRegistries);

            // Every member reads the policy and the mirrors (the environment carries them); only Owners change them.
            CanChangePolicy = Role == EnvironmentRole.Owner;
            Policy = Environment.Policy;
            Mirrors = Environment.Mirrors;
            var entries = await registries.ListRegistriesAsync(Environment.Id, cancellationToken);
            Entries = [.. entries.Where(e => e.Registry.State != RegistryState.Removed)];
            RemovedCount = entries.Count - Entries.Count;
        }
        catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
        {
            // Keep the first error (the action's) when listing fails too.
            Error ??= line;
            CanManage = false;
            CanChangePolicy = false;
        }
    }
}
