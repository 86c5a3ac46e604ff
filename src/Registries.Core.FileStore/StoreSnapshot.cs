using System.Collections.ObjectModel;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.FileStore;

/// <summary>One parsed, indexed, immutable state of a store file, shared by every reader until the file changes.</summary>
internal sealed class StoreSnapshot
{
    private static readonly ReadOnlyCollection<StoredRegistry> NoRecords = new([]);
    private static readonly Dictionary<RegistryAddress, ReadOnlyCollection<StoredRegistry>> NoAddresses = [];

    private StoreSnapshot()
    {
    }

    public static StoreSnapshot Empty { get; } = new();

    public IReadOnlyList<RegistryEnvironment> Environments { get; private init; } = [];

    public Dictionary<string, RegistryEnvironment> EnvironmentsById { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, StoredRegistry> RegistriesById { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the decrypted passwords by entry and protected value, so that the next state decrypts only what changed.</summary>
    /// <remarks>Keyed by the entry too: a ciphertext copied onto another entry must go through the protector (which
    /// refuses it), not be answered from this cache.</remarks>
    public Dictionary<ProtectedSecretKey, RegistrySecret> SecretsByProtectedValue { get; } = [];

    private Dictionary<string, ReadOnlyCollection<StoredRegistry>> ByEnvironment { get; } = new(StringComparer.Ordinal);

    private Dictionary<string, Dictionary<RegistryAddress, ReadOnlyCollection<StoredRegistry>>> ByAddress { get; } = new(StringComparer.Ordinal);

    private HashSet<string> EnvironmentsWithPatterns { get; } = new(StringComparer.Ordinal);

    /// <summary>Builds the state a document describes, checking every rule a store file must follow.</summary>
    /// <param name="document">The document.</param>
    /// <param name="knownSecrets">Passwords already decrypted, by entry and protected value.</param>
    /// <param name="unprotect">Decrypts a protected value that is not known yet.</param>
    /// <returns>The state.</returns>
    /// <exception cref="StoreFormatException">The document breaks a rule.</exception>
    /// <exception cref="RegistryStoreException">A password cannot be decrypted.</exception>
    public static StoreSnapshot Build(StoreDocument document, IReadOnlyDictionary<ProtectedSecretKey, RegistrySecret> knownSecrets, Func<string, SecretContext, RegistrySecret> unprotect)
    {
        var environments = new List<RegistryEnvironment>(document.Environments.Count);
        var snapshot = new StoreSnapshot { Environments = environments.AsReadOnly() };
        foreach (var e in document.Environments)
        {
            var (policy, mirrors) = PolicyAndMirrorsOf(e, document.FormatVersion);
            RegistryEnvironment environment;
            try
            {
                environment = new RegistryEnvironment(e.Id, e.Name, e.Orchestration, e.Members, e.Version, policy, mirrors);
            }
            catch (ArgumentException x)
            {
                throw new StoreFormatException($"environment '{e.Id}' is invalid ({x.Message})", x);
            }

            if (!snapshot.EnvironmentsById.TryAdd(environment.Id, environment))
            {
                throw new StoreFormatException($"environment id '{environment.Id}' appears twice");
            }

            environments.Add(environment);
        }

        var sequences = new HashSet<long>();
        var byEnvironment = new Dictionary<string, List<StoredRegistry>>(StringComparer.Ordinal);
        foreach (var r in document.Registries.OrderBy(r => r.Sequence))
        {
            if (!snapshot.EnvironmentsById.ContainsKey(r.EnvironmentId))
            {
                throw new StoreFormatException($"registry '{r.Id}' belongs to environment '{r.EnvironmentId}', which is not in the file");
            }

            RegistryScope scope;
            try
            {
                scope = RegistryScope.Parse(r.Address, r.Path);
            }
            catch (RegistryAddressFormatException)
            {
                throw new StoreFormatException($"registry '{r.Id}' has an invalid address or path");
            }

            if (document.FormatVersion < 2 && !scope.IsHostLevel)
            {
                throw new StoreFormatException($"registry '{r.Id}' has a path, which format version {document.FormatVersion} does not have");
            }

            if (r.Sequence > document.Sequence || !sequences.Add(r.Sequence))
            {
                throw new StoreFormatException($"registry '{r.Id}' has sequence {r.Sequence}, which is repeated or above the file's sequence {document.Sequence}");
            }

            var source = SourceOf(r, document.FormatVersion);
            var needsSecret = r.State != RegistryState.Removed && source.HasStoredSecret;
            if (needsSecret != (r.ProtectedPassword is not null))
            {
                throw new StoreFormatException(
                    r.State == RegistryState.Removed || needsSecret
                        ? $"registry '{r.Id}' is {r.State} but {(r.ProtectedPassword is null ? "has no" : "still has a")} protected password"
                        : $"registry '{r.Id}' takes its credential from a {source.KindName} source but has a protected password");
            }

            if (r.ExpiresAt is not null && document.FormatVersion < 3)
            {
                throw new StoreFormatException($"registry '{r.Id}' has an expiry date, which format version {document.FormatVersion} does not have");
            }

            StoredRegistry record;
            try
            {
                var registry = new Registry(r.Id, r.EnvironmentId, scope, r.State, r.Email, r.Username, r.Sequence, r.Version, source, r.ExpiresAt);
                RegistrySecret? secret = null;
                if (r.ProtectedPassword is { } protectedValue)
                {
                    var context = new SecretContext(r.EnvironmentId, r.Id);
                    var key = new ProtectedSecretKey(context, protectedValue);
                    if (!knownSecrets.TryGetValue(key, out secret))
                    {
                        secret = unprotect(protectedValue, context);
                    }

                    snapshot.SecretsByProtectedValue[key] = secret;
                }

                record = new StoredRegistry(registry, secret);
            }
            catch (ArgumentException x)
            {
                throw new StoreFormatException($"registry '{r.Id}' is invalid ({x.Message})", x);
            }

            if (!snapshot.RegistriesById.TryAdd(r.Id, record))
            {
                throw new StoreFormatException($"registry id '{r.Id}' appears twice");
            }

            if (!byEnvironment.TryGetValue(r.EnvironmentId, out var list))
            {
                byEnvironment.Add(r.EnvironmentId, list = []);
            }

            list.Add(record);
        }

        foreach (var (environmentId, records) in byEnvironment)
        {
            snapshot.ByEnvironment.Add(environmentId, records.AsReadOnly());
            if (records.Exists(r => r.Registry.Address.IsPattern))
            {
                snapshot.EnvironmentsWithPatterns.Add(environmentId);
            }

            snapshot.ByAddress.Add(
                environmentId,
                records.GroupBy(r => r.Registry.Address).ToDictionary(g => g.Key, g => g.ToList().AsReadOnly()));
        }

        return snapshot;
    }

    // Absent (every environment of formats 1 to 3): no rule, no mirror. Each rule and mirror is checked as the model
    // checks what a user gives, so a hand-edited or damaged one is refused, named, before anything else is done.
    private static (RegistryPolicy Policy, RegistryMirrors Mirrors) PolicyAndMirrorsOf(EnvironmentDocument e, int formatVersion)
    {
        var hasPolicy = e.Policy is { Count: > 0 };
        var hasMirrors = e.Mirrors is { Count: > 0 };
        if (!hasPolicy && !hasMirrors)
        {
            return (RegistryPolicy.Empty, RegistryMirrors.Empty);
        }

        if (formatVersion < FileRegistryStore.PolicyFormatVersion)
        {
            throw new StoreFormatException($"environment '{e.Id}' has {(hasPolicy ? "a policy" : "mirrors")}, which format version {formatVersion} does not have");
        }

        try
        {
            var rules = new List<PolicyRule>();
            for (var i = 0; hasPolicy && i < e.Policy!.Count; i++)
            {
                var rule = e.Policy[i] ?? throw new StoredPolicyException($"policy rule {i + 1} is null: remove it");
                rules.Add(StoredPolicy.ReadRule(i, rule.Scope, rule.Effect, rule.DigestOnly));
            }

            var mirrors = new List<RegistryMirror>();
            for (var i = 0; hasMirrors && i < e.Mirrors!.Count; i++)
            {
                var mirror = e.Mirrors[i] ?? throw new StoredPolicyException($"mirror {i + 1} is null: remove it");
                mirrors.Add(StoredPolicy.ReadMirror(i, mirror.Upstream, mirror.Address, mirror.Rewrite is not null, mirror.Rewrite?.Pattern, mirror.Rewrite?.Replacement, mirror.MirrorOnly));
            }

            return (StoredPolicy.ReadPolicy(rules), StoredPolicy.ReadMirrors(mirrors));
        }
        catch (StoredPolicyException x)
        {
            throw new StoreFormatException($"environment '{e.Id}': {x.Message}", x);
        }
    }

    // An absent kind is a stored password (every entry of formats 1 and 2). A kind this release does not know is a newer
    // release's: refused as such (upgrade), never read as a stored password nor taken for damage.
    private static CredentialSource SourceOf(RegistryDocument r, int formatVersion)
    {
        if (r.SourceKind is null)
        {
            return r.SourceName is null ? CredentialSource.Stored : throw new StoreFormatException($"registry '{r.Id}' has a source name but no source kind");
        }

        if (formatVersion < 3)
        {
            throw new StoreFormatException($"registry '{r.Id}' has a credential source, which format version {formatVersion} does not have");
        }

        if (!StoredSource.TryParseKind(r.SourceKind, out var kind))
        {
            throw new StoreFromNewerReleaseException($"registry '{r.Id}' takes its credential from a source this release does not know");
        }

        try
        {
            return CredentialSource.Of(kind, r.SourceName);
        }
        catch (ArgumentException x)
        {
            throw new StoreFormatException($"registry '{r.Id}' has an invalid credential source ({x.Message})", x);
        }
    }

    public IReadOnlyList<StoredRegistry> RegistriesOf(string environmentId)
        => ByEnvironment.TryGetValue(environmentId, out var records) ? records : NoRecords;

    // The entries that could cover images of an address: its own and those of the host patterns that cover it.
    public IReadOnlyList<StoredRegistry> RegistriesCovering(string environmentId, RegistryAddress address)
    {
        var own = RegistriesOf(environmentId, address);
        if (!EnvironmentsWithPatterns.Contains(environmentId))
        {
            return own;
        }

        var covering = new List<StoredRegistry>(own);
        foreach (var pattern in address.GetCoveringPatterns())
        {
            covering.AddRange(RegistriesOf(environmentId, pattern));
        }

        covering.Sort(static (a, b) => a.Registry.Sequence.CompareTo(b.Registry.Sequence));
        return covering;
    }

    public IReadOnlyList<StoredRegistry> RegistriesOf(string environmentId, RegistryAddress address)
        => ByAddress.GetValueOrDefault(environmentId, NoAddresses).TryGetValue(address, out var records) ? records : NoRecords;
}

/// <summary>An entry and the protected value of its password: what a decrypted password is remembered by.</summary>
/// <param name="Context">The entry.</param>
/// <param name="ProtectedValue">The protected value.</param>
internal readonly record struct ProtectedSecretKey(SecretContext Context, string ProtectedValue);

/// <summary>A store document breaks a rule; the store turns it into a <see cref="RegistryStoreException"/> that names the file.</summary>
internal sealed class StoreFormatException(string detail, Exception? innerException = null) : Exception(detail, innerException);

/// <summary>A store document holds something only a newer release writes (a credential source kind this release does not
/// know); the store turns it into a <see cref="RegistryStoreException"/> that says to upgrade.</summary>
internal sealed class StoreFromNewerReleaseException(string detail) : Exception(detail);
