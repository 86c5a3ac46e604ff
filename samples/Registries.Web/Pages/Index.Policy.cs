using Microsoft.AspNetCore.Mvc;
using Registries.Core;

namespace Registries.Web.Pages;

/// <summary>The Registries page's policy and mirrors: shown to every member, changed by Owners through the forms of the
/// <c>_Policy</c> and <c>_Mirrors</c> partials.</summary>
public sealed partial class IndexModel
{
    /// <summary>Gets or sets the effect chosen in the rule form.</summary>
    [BindProperty]
    public PolicyEffect RuleEffect { get; set; } = PolicyEffect.Deny;

    /// <summary>Gets or sets the scope typed in the rule form (<c>HOST[:PORT][/PATH]</c> or <c>*.PATTERN</c>).</summary>
    [BindProperty]
    public string? RuleScope { get; set; }

    /// <summary>Gets or sets a value indicating whether the rule form's allow rule is digest-only.</summary>
    [BindProperty]
    public bool RuleDigestOnly { get; set; }

    /// <summary>Gets or sets the upstream typed in the mirror form.</summary>
    [BindProperty]
    public string? MirrorUpstream { get; set; }

    /// <summary>Gets or sets the mirror's address typed in the mirror form.</summary>
    [BindProperty]
    public string? MirrorAddress { get; set; }

    /// <summary>Gets or sets the rewrite's regular expression typed in the mirror form; empty for none.</summary>
    [BindProperty]
    public string? RewritePattern { get; set; }

    /// <summary>Gets or sets the rewrite's replacement typed in the mirror form.</summary>
    [BindProperty]
    public string? RewriteReplacement { get; set; }

    /// <summary>Gets or sets a value indicating whether the mirror form's mirror is mirror-only.</summary>
    [BindProperty]
    public bool MirrorOnly { get; set; }

    /// <summary>Gets a value indicating whether the user may change the policy and the mirrors (Owners only).</summary>
    public bool CanChangePolicy { get; private set; }

    /// <summary>Gets the environment's policy.</summary>
    public RegistryPolicy Policy { get; private set; } = RegistryPolicy.Empty;

    /// <summary>Gets the environment's mirrors.</summary>
    public RegistryMirrors Mirrors { get; private set; } = RegistryMirrors.Empty;

    /// <summary>Sets the rule of the scope typed (added, or replacing the scope's rule in place).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the page, or the page with an error and the form as it was typed.</returns>
    public Task<IActionResult> OnPostSetRuleAsync(CancellationToken cancellationToken) =>
        ChangeAsync(
            async token =>
            {
                var rule = PolicyRule.Create(ScopeOf(RuleScope), RuleEffect, RuleDigestOnly);
                await registries.SetPolicyRuleAsync(EnvironmentOrThrow(), rule, token);
                return $"Set the rule {rule}.";
            },
            cancellationToken);

    /// <summary>Removes the rule of a scope.</summary>
    /// <param name="scope">The rule's scope, as the policy shows it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the page, or the page with an error.</returns>
    public Task<IActionResult> OnPostRemoveRuleAsync(string? scope, CancellationToken cancellationToken) =>
        ChangeAsync(
            async token =>
            {
                var parsed = ScopeOf(scope);
                await registries.RemovePolicyRuleAsync(EnvironmentOrThrow(), parsed, token);
                return $"Removed the rule of {parsed}.";
            },
            cancellationToken);

    /// <summary>Adds the mirror typed, last among its upstream's (or replaces the one with the same addresses in place).</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the page, or the page with an error and the form as it was typed.</returns>
    public Task<IActionResult> OnPostAddMirrorAsync(CancellationToken cancellationToken) =>
        ChangeAsync(
            async token =>
            {
                var rewrite = string.IsNullOrEmpty(RewritePattern) ? null : MirrorRewrite.Parse(RewritePattern, RewriteReplacement ?? string.Empty);
                if (rewrite is null && !string.IsNullOrEmpty(RewriteReplacement))
                {
                    throw new ArgumentException("A rewrite needs its regular expression as well as its replacement, for example '^library/(.*)' and 'dockerhub/library/$1'; leave both empty for none.");
                }

                var mirror = RegistryMirror.Create(AddressOf(MirrorUpstream, "upstream"), AddressOf(MirrorAddress, "mirror"), rewrite, MirrorOnly);
                await registries.AddMirrorAsync(EnvironmentOrThrow(), mirror, token);
                return $"Added the mirror {mirror}.";
            },
            cancellationToken);

    /// <summary>Removes a mirror.</summary>
    /// <param name="upstream">The upstream registry.</param>
    /// <param name="mirror">The mirror's address.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the page, or the page with an error.</returns>
    public Task<IActionResult> OnPostRemoveMirrorAsync(string? upstream, string? mirror, CancellationToken cancellationToken) =>
        ChangeAsync(
            async token =>
            {
                var upstreamAddress = AddressOf(upstream, "upstream");
                var mirrorAddress = AddressOf(mirror, "mirror");
                await registries.RemoveMirrorAsync(EnvironmentOrThrow(), upstreamAddress, mirrorAddress, token);
                return $"Removed the mirror {mirrorAddress} of {upstreamAddress}.";
            },
            cancellationToken);

    /// <summary>Says what happens to an upstream's images after its mirrors, for the mirrors table.</summary>
    /// <param name="upstream">The upstream registry.</param>
    /// <returns>The line.</returns>
    public string AfterMirrors(RegistryAddress upstream) => Mirrors.FallsBackToUpstream(upstream)
        ? $"then {upstream} itself"
        : $"never {upstream} itself (a mirror is mirror-only)";

    // The same parsers as the API and the CLI, so the page says what they say; an empty field names what to give.
    private static RegistryScope ScopeOf(string? scope) => string.IsNullOrWhiteSpace(scope)
        ? throw new ArgumentException("Give a scope: a registry address with an optional repository path (registry.example.com:5000/team) or a host pattern (*.corp.example).")
        : RegistryScope.ParseScope(scope);

    private static RegistryAddress AddressOf(string? text, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"Give the {what}'s address: the IP or host name with an optional port, for example '{(what == "upstream" ? "docker.io" : "mirror.example.com:5000")}'.");
        }

        // A leading '*' parses as a host pattern, so that the library says why a mirror cannot join one.
        return text.StartsWith('*') ? RegistryAddress.ParsePattern(text) : RegistryAddress.Parse(text);
    }

    private string EnvironmentOrThrow() => string.IsNullOrEmpty(EnvironmentId)
        ? throw new ArgumentException("Choose an environment first.")
        : EnvironmentId;

    private async Task<IActionResult> ChangeAsync(Func<CancellationToken, Task<string>> change, CancellationToken cancellationToken)
    {
        try
        {
            Notice = await change(cancellationToken);
            return RedirectToPage(new { env = EnvironmentId });
        }
        catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
        {
            Error = line;

            // A pasted URL with user info (https://user:password@host) is not typed back into the form: the library's
            // message leaves it out, and so does the page.
            RuleScope = WithoutUserInfo(RuleScope);
            MirrorUpstream = WithoutUserInfo(MirrorUpstream);
            MirrorAddress = WithoutUserInfo(MirrorAddress);
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private static string? WithoutUserInfo(string? typed) => typed is not null && typed.Contains('@', StringComparison.Ordinal) ? null : typed;
}
