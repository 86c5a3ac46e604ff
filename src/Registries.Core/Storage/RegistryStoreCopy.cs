namespace Registries.Core.Storage;

/// <summary>Copies a whole store into another, empty one: the way from one store implementation to another (the file
/// store to PostgreSQL and back), verified before it returns.</summary>
/// <remarks>
/// <para>What is copied: every environment (name, orchestration, members with their roles, policy rules and mirrors,
/// in order) and every registry entry
/// (address, e-mail, username, password and state), added to the target in the source's order across the whole store,
/// so "most recently added wins" picks the same entry in the target. An Inactive entry is added, then deactivated. A
/// Removed entry keeps its place in the order: it is added with a throw-away password and removed at once, so no
/// secret of it exists anywhere, as in the source.</para>
/// <para>Passwords are read through the source's protector and written through the target's: a copy re-protects every
/// password with the target's key. Identifiers are assigned by the target; the result maps each source identifier to
/// its target one.</para>
/// <para>The copy is an operator action on the whole store, like a backup: it checks no caller or permission. Stop
/// writers of the source while it runs; the verification reports a source that changed meanwhile.</para>
/// <para>The store port has no transaction spanning many operations: when a write fails half-way (the target's
/// disk or database fails), the target holds a partial copy. Empty it (a new file, a new database) and copy again.</para>
/// </remarks>
public static class RegistryStoreCopy
{
    /// <summary>Copies every environment and registry entry of <paramref name="source"/> into the empty
    /// <paramref name="target"/>, then verifies that both give the same listings and resolutions.</summary>
    /// <param name="source">The store to read; it is not changed.</param>
    /// <param name="target">The store to write; it must hold no environment.</param>
    /// <param name="cancellationToken">Cancels the copy; a copy cancelled after its first write leaves a partial target.</param>
    /// <returns>The counts and the map from source to target identifiers.</returns>
    /// <exception cref="ArgumentNullException">A store is <see langword="null"/>.</exception>
    /// <exception cref="RegistryRuleException">The target already holds an environment; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">A store failed, or the target does not give the source's listings and
    /// resolutions after the copy (the message names the first difference, never a password).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<RegistryStoreCopyResult> CopyAsync(IRegistryStore source, IRegistryStore target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        cancellationToken.ThrowIfCancellationRequested();

        var existing = await target.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0)
        {
            throw new RegistryRuleException(
                $"The target store is not empty: it holds {existing.Count} environment(s). A copy goes into an empty store only "
                + "(a new file or a new database), so that nothing in it is mixed with or overridden by the copy.");
        }

        // Everything is read, and every credential built, before the first write: an entry the target could not take
        // fails the copy with nothing written.
        var environments = await source.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<(StoredRegistry Record, RegistryCredential Credential)>();
        foreach (var environment in environments)
        {
            foreach (var record in await source.ListRegistriesAsync(environment.Id, cancellationToken).ConfigureAwait(false))
            {
                entries.Add((record, CredentialOf(record)));
            }
        }

        // One order across the whole store: the target's sequence is assigned in the order of the adds.
        entries.Sort((a, b) => a.Record.Registry.Sequence.CompareTo(b.Record.Registry.Sequence));

        var environmentIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var environment in environments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var created = await target.CreateEnvironmentAsync(environment.Name, environment.Orchestration, environment.Members, cancellationToken).ConfigureAwait(false);
            if (!environment.Policy.IsEmpty || !environment.Mirrors.IsEmpty)
            {
                // A store creates an environment without rules or mirrors: they follow as its first update.
                created = await target.UpdateEnvironmentAsync(created.WithPolicy(environment.Policy).WithMirrors(environment.Mirrors), cancellationToken).ConfigureAwait(false);
            }

            environmentIds.Add(environment.Id, created.Id);
        }

        var registryIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (record, credential) in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var registry = record.Registry;
            var added = await target.AddRegistryAsync(environmentIds[registry.EnvironmentId], registry.Scope, credential, cancellationToken).ConfigureAwait(false);
            if (registry.State != RegistryState.Active)
            {
                // Removed: the update drops the throw-away password with the entry's secret (a removed record has none).
                var password = registry.State == RegistryState.Removed ? null : added.Password;
                added = await target.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(registry.State), password), cancellationToken).ConfigureAwait(false);
            }

            registryIds.Add(registry.Id, added.Registry.Id);
        }

        await VerifyAsync(source, target, environmentIds, registryIds, cancellationToken).ConfigureAwait(false);
        return new RegistryStoreCopyResult(environmentIds, registryIds);
    }

    private static RegistryCredential CredentialOf(StoredRegistry record)
    {
        var registry = record.Registry;

        // A removed entry's secret was erased: a random one stands in for the instant between the add and the removal.
        // A helper or plugin entry stores none; its source (and a stored credential's expiry) is copied as it is.
        var password = record.Password ?? new RegistrySecret("removed-" + Guid.NewGuid().ToString("N"));
        try
        {
            return registry.Source.Kind switch
            {
                CredentialSourceKind.CredentialHelper => RegistryCredential.FromCredentialHelper(registry.Email, registry.Source.Name!),
                CredentialSourceKind.KubeletPlugin => RegistryCredential.FromKubeletPlugin(registry.Email, registry.Source.Name!),
                CredentialSourceKind.IdentityToken => RegistryCredential.FromIdentityToken(registry.Email, registry.Username, password),
                _ => new RegistryCredential(registry.Email, registry.Username, password, registry.ExpiresAt),
            };
        }
        catch (ArgumentException exception)
        {
            throw new RegistryStoreException(
                $"Registry entry '{registry.Id}' ({registry.Scope}) of environment '{registry.EnvironmentId}' in the source cannot be copied: {exception.Message} "
                + "Edit it in the source, then copy again; nothing was written to the target.",
                exception);
        }
    }

    // The target must answer as the source does: the same environments, the same listing per environment (address,
    // state, username, e-mail, effective mark, in order), the same global order, and the same resolution per address
    // read through the resolution path (ListRegistriesByAddressAsync) of each store. Both are read again, so a source
    // changed during the copy is reported too.
    private static async Task VerifyAsync(IRegistryStore source, IRegistryStore target, Dictionary<string, string> environmentIds, Dictionary<string, string> registryIds, CancellationToken cancellationToken)
    {
        var sourceEnvironments = await source.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        var targetEnvironments = (await target.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.Id, StringComparer.Ordinal);
        if (sourceEnvironments.Count != environmentIds.Count || targetEnvironments.Count != environmentIds.Count)
        {
            throw Mismatch($"the source holds {sourceEnvironments.Count} environment(s) and the target {targetEnvironments.Count}, {environmentIds.Count} were copied");
        }

        var sourceOrder = new List<Registry>();
        var targetOrder = new List<Registry>();
        foreach (var environment in sourceEnvironments)
        {
            if (!environmentIds.TryGetValue(environment.Id, out var targetId) || !targetEnvironments.TryGetValue(targetId, out var copy))
            {
                throw Mismatch($"environment '{environment.Id}' ({environment.Name}) of the source has no copy in the target");
            }

            var where = $"environment '{environment.Id}' -> '{copy.Id}'";
            if (!string.Equals(environment.Name, copy.Name, StringComparison.Ordinal) || environment.Orchestration != copy.Orchestration)
            {
                throw Mismatch($"{where}: the name or orchestration differs ('{environment.Name}', {environment.Orchestration} vs '{copy.Name}', {copy.Orchestration})");
            }

            if (environment.Members.Count != copy.Members.Count
                || environment.Members.Any(m => !copy.Members.TryGetValue(m.Key, out var role) || role != m.Value))
            {
                throw Mismatch($"{where}: the members or their roles differ");
            }

            if (!environment.Policy.Equals(copy.Policy))
            {
                throw Mismatch($"{where}: the policy differs ({DescribePolicy(environment.Policy)} vs {DescribePolicy(copy.Policy)})");
            }

            if (!environment.Mirrors.Equals(copy.Mirrors))
            {
                throw Mismatch($"{where}: the mirrors differ ({environment.Mirrors} vs {copy.Mirrors})");
            }

            var sourceEntries = await source.ListRegistriesAsync(environment.Id, cancellationToken).ConfigureAwait(false);
            var targetEntries = await target.ListRegistriesAsync(copy.Id, cancellationToken).ConfigureAwait(false);
            if (sourceEntries.Count != targetEntries.Count)
            {
                throw Mismatch($"{where}: the source lists {sourceEntries.Count} registry entries and the target {targetEntries.Count}");
            }

            for (var i = 0; i < sourceEntries.Count; i++)
            {
                CompareEntry(where, sourceEntries, targetEntries, i, registryIds);
                sourceOrder.Add(sourceEntries[i].Registry);
                targetOrder.Add(targetEntries[i].Registry);
            }

            foreach (var address in sourceEntries.Select(e => e.Registry.Address).Where(a => !a.IsPattern).Distinct())
            {
                var expected = CredentialResolver.Resolve(address, await source.ListRegistriesCoveringAsync(environment.Id, address, cancellationToken).ConfigureAwait(false));
                var actual = CredentialResolver.Resolve(address, await target.ListRegistriesCoveringAsync(copy.Id, address, cancellationToken).ConfigureAwait(false));
                CompareResolution($"{where}, address {address}", expected, actual, registryIds);
            }

            // Each scope's effective entry, through the lookup of every scope (patterns and paths included).
            foreach (var scope in sourceEntries.Select(e => e.Registry.Scope).Distinct())
            {
                var expected = StoreRules.SelectEffective([.. (await source.ListRegistriesByAddressAsync(environment.Id, scope.Address, cancellationToken).ConfigureAwait(false)).Where(e => e.Registry.Scope.Equals(scope))]);
                var actual = StoreRules.SelectEffective([.. (await target.ListRegistriesByAddressAsync(copy.Id, scope.Address, cancellationToken).ConfigureAwait(false)).Where(e => e.Registry.Scope.Equals(scope))]);
                if (!string.Equals(expected is null ? null : registryIds.GetValueOrDefault(expected.Registry.Id), actual?.Registry.Id, StringComparison.Ordinal))
                {
                    throw Mismatch($"{where}, scope {scope}: another entry is effective ('{actual?.Registry.Id}' where the copy of '{expected?.Registry.Id}' should be)");
                }
            }
        }

        // "Most recently added" across environments: the target's sequences put the copies in the source's order.
        var expectedOrder = sourceOrder.OrderBy(r => r.Sequence).Select(r => registryIds.GetValueOrDefault(r.Id)).ToList();
        var actualOrder = targetOrder.OrderBy(r => r.Sequence).Select(r => r.Id).ToList();
        for (var i = 0; i < expectedOrder.Count; i++)
        {
            if (!string.Equals(expectedOrder[i], actualOrder[i], StringComparison.Ordinal))
            {
                throw Mismatch($"the order of the store differs at position {i + 1}: the target has '{actualOrder[i]}' where the copy of the source's entry is '{expectedOrder[i]}'");
            }
        }
    }

    private static void CompareEntry(string where, IReadOnlyList<StoredRegistry> sourceEntries, IReadOnlyList<StoredRegistry> targetEntries, int index, Dictionary<string, string> registryIds)
    {
        var expected = sourceEntries[index].Registry;
        var actual = targetEntries[index].Registry;
        var entry = $"{where}, registry entry {index + 1} ('{expected.Id}' -> '{actual.Id}')";
        if (!registryIds.TryGetValue(expected.Id, out var copyId) || !string.Equals(copyId, actual.Id, StringComparison.Ordinal))
        {
            throw Mismatch($"{entry}: the target lists another entry at this place");
        }

        string? difference =
            !expected.Scope.Equals(actual.Scope) ? $"the scope differs ({expected.Scope} vs {actual.Scope})"
            : expected.State != actual.State ? $"the state differs ({expected.State} vs {actual.State})"
            : !string.Equals(expected.Username, actual.Username, StringComparison.Ordinal) ? $"the username differs ('{expected.Username}' vs '{actual.Username}')"
            : !string.Equals(expected.Email, actual.Email, StringComparison.Ordinal) ? $"the e-mail differs ('{expected.Email}' vs '{actual.Email}')"
            : !expected.Source.Equals(actual.Source) ? $"the source differs ({expected.Source} vs {actual.Source})"
            : expected.ExpiresAt != actual.ExpiresAt ? "the expiry differs"
            : !string.Equals(sourceEntries[index].Password?.Reveal(), targetEntries[index].Password?.Reveal(), StringComparison.Ordinal)
                ? "the stored secret differs (the target's protector does not give back what was written)"
            : IsEffective(sourceEntries, index) != IsEffective(targetEntries, index) ? "the effective mark differs"
            : null;
        if (difference is not null)
        {
            throw Mismatch($"{entry}: {difference}");
        }
    }

    private static bool IsEffective(IReadOnlyList<StoredRegistry> entries, int index)
    {
        var scope = entries[index].Registry.Scope;
        return ReferenceEquals(StoreRules.SelectEffective(entries.Where(e => e.Registry.Scope.Equals(scope)).ToList()), entries[index]);
    }

    private static void CompareResolution(string where, CredentialResolution expected, CredentialResolution actual, Dictionary<string, string> registryIds)
    {
        string? difference =
            expected.Outcome != actual.Outcome ? $"the resolution differs ({expected.Outcome} vs {actual.Outcome})"
            : !string.Equals(expected.RegistryId is null ? null : registryIds.GetValueOrDefault(expected.RegistryId), actual.RegistryId, StringComparison.Ordinal)
                ? $"another entry resolves ('{actual.RegistryId}' where the copy of '{expected.RegistryId}' should)"
            : !string.Equals(expected.Username, actual.Username, StringComparison.Ordinal) ? $"the resolved username differs ('{expected.Username}' vs '{actual.Username}')"
            : !string.Equals(expected.Password?.Reveal(), actual.Password?.Reveal(), StringComparison.Ordinal)
                ? "the resolved password differs (the target's protector does not give back what was written)"
            : null;
        if (difference is not null)
        {
            throw Mismatch($"{where}: {difference}");
        }
    }

    private static string DescribePolicy(RegistryPolicy policy) => policy.IsEmpty ? "no rules" : string.Join("; ", policy.Rules);

    private static RegistryStoreException Mismatch(string difference)
        => new($"The copy does not match its source: {difference}. The target holds the copy as written: empty it (a new file or a new database) before copying again, and keep writers off the source while it runs.");
}
