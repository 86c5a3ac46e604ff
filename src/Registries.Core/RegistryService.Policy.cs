using Registries.Core.Events;

namespace Registries.Core;

public sealed partial class RegistryService
{
    /// <summary>Reads an environment's policy. Every member may read it.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The policy (<see cref="RegistryPolicy.Empty"/> when there is no rule).</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryPolicy> GetPolicyAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        var (environment, _) = await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read the policy", registryOperation: true, cancellationToken).ConfigureAwait(false);
        return environment.Policy;
    }

    /// <summary>Sets the rule of a scope (added, or replacing the scope's rule). Only Owners may do this.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment; unchanged (and not written) when it already had the rule.</returns>
    /// <remarks>Once stored, the change is told to the registry event observers as <see cref="Events.EnvironmentEventKind.PolicyRuleSet"/>
    /// (<see cref="Events.IRegistryEventObserver.OnEnvironmentEventAsync"/>); a change that changes nothing is not.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is <see langword="null"/>.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is not an Owner.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<RegistryEnvironment> SetPolicyRuleAsync(string environmentId, PolicyRule rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return ChangeEnvironmentAsync(
            environmentId,
            "change the policy",
            (e, caller) => (e.WithPolicy(e.Policy.WithRule(rule)), EnvironmentEvent.OfPolicy(EnvironmentEventKind.PolicyRuleSet, e.Id, caller, rule)),
            cancellationToken);
    }

    /// <summary>Removes the rule of a scope. Only Owners may do this.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="scope">The rule's scope, exactly as it was set.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment.</returns>
    /// <remarks>Once stored, the change is told to the registry event observers as <see cref="Events.EnvironmentEventKind.PolicyRuleRemoved"/>
    /// (<see cref="Events.IRegistryEventObserver.OnEnvironmentEventAsync"/>); a change that changes nothing is not.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryRuleException">The scope has no rule; the message lists the rules.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is not an Owner.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<RegistryEnvironment> RemovePolicyRuleAsync(string environmentId, RegistryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return ChangeEnvironmentAsync(
            environmentId,
            "change the policy",
            (e, caller) => e.Policy.Find(scope) is not { } removed
                ? throw new RegistryRuleException($"The policy of environment '{e.Id}' has no rule for '{scope}' ({(e.Policy.IsEmpty ? "it has no rules" : "its rules: " + e.Policy)}).")
                : (e.WithPolicy(e.Policy.WithoutRule(scope)), EnvironmentEvent.OfPolicy(EnvironmentEventKind.PolicyRuleRemoved, e.Id, caller, removed)),
            cancellationToken);
    }

    /// <summary>Reads an environment's mirrors. Every member may read them.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The mirrors (<see cref="RegistryMirrors.Empty"/> when there is none).</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryMirrors> GetMirrorsAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        var (environment, _) = await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read the mirrors", registryOperation: true, cancellationToken).ConfigureAwait(false);
        return environment.Mirrors;
    }

    /// <summary>Adds a mirror last among its upstream's (or replaces the mirror with the same upstream and address, in
    /// place). Only Owners may do this.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="mirror">The mirror.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment; unchanged (and not written) when it already had the mirror.</returns>
    /// <remarks>Once stored, the change is told to the registry event observers as <see cref="Events.EnvironmentEventKind.MirrorAdded"/>
    /// (<see cref="Events.IRegistryEventObserver.OnEnvironmentEventAsync"/>); a change that changes nothing is not.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="mirror"/> is <see langword="null"/>.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is not an Owner.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<RegistryEnvironment> AddMirrorAsync(string environmentId, RegistryMirror mirror, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        return ChangeEnvironmentAsync(
            environmentId,
            "change the mirrors",
            (e, caller) => (e.WithMirrors(e.Mirrors.WithMirror(mirror)), EnvironmentEvent.OfMirror(EnvironmentEventKind.MirrorAdded, e.Id, caller, mirror)),
            cancellationToken);
    }

    /// <summary>Removes a mirror. Only Owners may do this.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="upstream">The upstream registry.</param>
    /// <param name="address">The mirror's address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment.</returns>
    /// <remarks>Once stored, the change is told to the registry event observers as <see cref="Events.EnvironmentEventKind.MirrorRemoved"/>
    /// (<see cref="Events.IRegistryEventObserver.OnEnvironmentEventAsync"/>); a change that changes nothing is not.</remarks>
    /// <exception cref="ArgumentNullException">An address is <see langword="null"/>.</exception>
    /// <exception cref="RegistryRuleException">The upstream has no such mirror; the message lists its mirrors.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is not an Owner.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<RegistryEnvironment> RemoveMirrorAsync(string environmentId, RegistryAddress upstream, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(address);
        return ChangeEnvironmentAsync(environmentId, "change the mirrors", (e, caller) =>
        {
            var existing = e.Mirrors.For(upstream);
            var removed = existing.FirstOrDefault(m => m.Address.Equals(address))
                ?? throw new RegistryRuleException($"'{address}' is not a mirror of '{upstream}' in environment '{e.Id}' ({(existing.Count == 0 ? "it has no mirrors" : "its mirrors: " + string.Join(", ", existing.Select(m => m.Address)))}).");
            return (e.WithMirrors(e.Mirrors.WithoutMirror(upstream, address)), EnvironmentEvent.OfMirror(EnvironmentEventKind.MirrorRemoved, e.Id, caller, removed));
        }, cancellationToken);
    }

    // Reads as an Owner, applies the change, writes with the version read; retries a conflict as the options allow.
    // A change that leaves the environment as it was is not written and tells no observer; a stored one is told to the
    // observers once, after the write, like a registry change.
    private async ValueTask<RegistryEnvironment> ChangeEnvironmentAsync(string environmentId, string operation, Func<RegistryEnvironment, string, (RegistryEnvironment Changed, EnvironmentEvent Event)> change, CancellationToken cancellationToken)
    {
        var caller = CallerName();
        for (var attempt = 0; ; attempt++)
        {
            var (environment, _) = await _authorization.AuthorizeAsync(caller, environmentId, EnvironmentRole.Owner, operation, registryOperation: true, cancellationToken).ConfigureAwait(false);
            var (changed, environmentEvent) = change(environment, caller);
            if (changed.Policy.Equals(environment.Policy) && changed.Mirrors.Equals(environment.Mirrors))
            {
                return environment;
            }

            RegistryEnvironment stored;
            try
            {
                stored = await _store.UpdateEnvironmentAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < _options.ConcurrencyRetries)
            {
                continue;
            }

            await PublishAsync(environmentEvent).ConfigureAwait(false);
            return stored;
        }
    }
}
