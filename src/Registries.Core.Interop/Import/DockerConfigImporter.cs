using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Imports registry credentials from a Docker <c>config.json</c> into an environment.</summary>
/// <remarks>
/// <para>Reads <c>auths</c> (the base64 <c>auth</c> field, split at the first ':', or separate <c>username</c> and
/// <c>password</c>), <c>credHelpers</c> (a helper per registry) and <c>credsStore</c> (the helper for <c>auths</c>
/// entries that hold no credential), running the real <c>docker-credential-NAME get</c> protocol with a timeout.
/// Precedence is Docker's: a registry's <c>credHelpers</c> entry wins, then the credential written in <c>auths</c>,
/// then <c>credsStore</c>. Keys such as <c>https://index.docker.io/v1/</c>, <c>http://host:5000</c> or
/// <c>host:5000/v2/</c> are normalized to a <see cref="RegistryAddress"/> (the legacy Docker Hub key means
/// <c>docker.io</c>).</para>
/// <para>Each credential is added with <see cref="RegistryService.AddRegistryAsync(string, RegistryAddress, RegistryCredential, CancellationToken)"/>, so the newest-wins rule holds:
/// it becomes the effective credential of its address (also over an Inactive one: importing is adding). An entry
/// whose address's effective credential is Active with the same username and password (and the same e-mail, when
/// the entry has one) is reported Unchanged and adds nothing, so importing twice is harmless. When two keys name the
/// same address, they are processed in order and the later one wins. Identity tokens (<c>identitytoken</c>, or a
/// helper's <c>&lt;token&gt;</c> username) are not supported and reported as such.</para>
/// <para>The domain requires an e-mail address and Docker configs rarely hold one: an entry's own <c>email</c> is used
/// when it is a valid address, else the caller's default.</para>
/// <para>No entry is dropped silently: the result lists every one as Imported, Unchanged or Failed with a reason, and
/// no reason contains a secret.</para>
/// <para>The importer acts for the caller of the <see cref="RegistryService"/> it is given: the one the service's
/// <see cref="IRegistryCallerAccessor"/> gives (dependency injection with <c>UseCaller</c>), or the one bound with
/// <see cref="RegistryService.As(string)"/> (<c>new DockerConfigImporter(service.As("alice"), options)</c>). Importing
/// adds credentials and compares them with the effective ones, so it needs <see cref="RegistryPermission.ManageRegistries"/>
/// and <see cref="RegistryPermission.UseCredentials"/> (Owner or Member); both are demanded before any work: before a
/// file is opened, a helper runs or a registry is asked.</para>
/// <para>Thread-safe when the service's store is.</para>
/// </remarks>
public sealed class DockerConfigImporter
{
    /// <summary>The largest config file read; docker login writes a few KiB.</summary>
    internal const int MaxConfigBytes = 4 * 1024 * 1024;

    private readonly RegistryService _service;
    private readonly RegistryCredentialVerifier? _verifier;
    private readonly CredentialHelperClient _helpers;

    /// <summary>Initializes a new importer.</summary>
    /// <param name="service">The service that checks permissions and adds the credentials, for its caller.</param>
    /// <param name="options">The options, read once: later changes to the options object do not reach this importer.</param>
    /// <param name="verifier">The verifier used when <see cref="DockerConfigImportOptions.Verify"/> is set; ignored otherwise.</param>
    /// <param name="timeProvider">The clock for helper timeouts; the system clock when <see langword="null"/>.</param>
    /// <remarks>Outside dependency injection: <c>new DockerConfigImporter(service.As(user), Options.Create(new DockerConfigImportOptions()))</c>.
    /// In it: <c>services.AddRegistries().UseDockerConfigInterop(...)</c>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid (a helper timeout that is not positive or
    /// longer than 10 minutes, an empty or relative helper folder), or <see cref="DockerConfigImportOptions.Verify"/> is set
    /// without a <paramref name="verifier"/>; the message says what to fix, as at start-up under dependency injection.</exception>
    public DockerConfigImporter(RegistryService service, IOptions<DockerConfigImportOptions> options, RegistryCredentialVerifier? verifier = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        var value = ValidatedOptions.Get(options, new DockerConfigImportOptionsValidator());
        if (value.Verify && verifier is null)
        {
            ValidatedOptions.ThrowIfAny<DockerConfigImportOptions>([DockerConfigImportOptionsValidator.VerifierMissing(underDependencyInjection: false)]);
        }

        _service = service;
        _verifier = value.Verify ? verifier : null;
        _helpers = new CredentialHelperClient(value.HelperDirectories, value.HelperTimeout, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Imports the credentials of a Docker config file, for the service's caller.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="path">The file, for example <c>~/.docker/config.json</c>.</param>
    /// <param name="defaultEmail">The e-mail address for entries that carry none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One line per entry.</returns>
    /// <remarks>The caller's permissions are checked before the file is opened: a caller who may not import learns
    /// nothing about the file, and a FIFO or a huge file named by such a caller is never touched.</remarks>
    /// <exception cref="ArgumentException">An argument is empty, or <paramref name="defaultEmail"/> is not an e-mail address.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="environmentId"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    /// <exception cref="IOException">The path is a directory or not a regular file (a FIFO, a device), the file is larger than 4 MiB, or it could not be read.</exception>
    /// <exception cref="DockerConfigFormatException">The file is not a Docker config.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<DockerConfigImportResult> ImportFileAsync(string environmentId, string path, string defaultEmail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ValidateDefaultEmail(defaultEmail);
        await EnsureAllowedAsync(environmentId, cancellationToken).ConfigureAwait(false);

        // Not File.ReadAllText: a FIFO would block it forever and /dev/zero exhaust memory.
        var json = RegularFile.ReadAllText(path, "The Docker config", MaxConfigBytes);
        return await ImportDocumentAsync(environmentId, DockerConfigDocument.Parse(json), defaultEmail, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Imports the credentials of a Docker config document, for the service's caller.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="configJson">The content of a <c>config.json</c>.</param>
    /// <param name="defaultEmail">The e-mail address for entries that carry none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One line per entry.</returns>
    /// <exception cref="ArgumentException"><paramref name="defaultEmail"/> is not an e-mail address.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="environmentId"/> or <paramref name="configJson"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="DockerConfigFormatException">The document is not a Docker config.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<DockerConfigImportResult> ImportAsync(string environmentId, string configJson, string defaultEmail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(configJson);
        ValidateDefaultEmail(defaultEmail);
        await EnsureAllowedAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return await ImportDocumentAsync(environmentId, DockerConfigDocument.Parse(configJson), defaultEmail, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureAllowedAsync(string environmentId, CancellationToken cancellationToken)
    {
        // Adding needs ManageRegistries; the Unchanged check compares with the effective secret, which is using it.
        await _service.EnsurePermissionAsync(environmentId, RegistryPermission.ManageRegistries, cancellationToken).ConfigureAwait(false);
        await _service.EnsurePermissionAsync(environmentId, RegistryPermission.UseCredentials, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DockerConfigImportResult> ImportDocumentAsync(string environmentId, DockerConfigDocument document, string defaultEmail, CancellationToken cancellationToken)
    {
        var results = new List<DockerConfigImportEntry>();
        foreach (var candidate in await ReadCandidatesAsync(document, cancellationToken).ConfigureAwait(false))
        {
            results.Add(await ImportOneAsync(environmentId, candidate, defaultEmail, cancellationToken).ConfigureAwait(false));
        }

        return new DockerConfigImportResult(results);
    }

    /// <summary>Reads every entry of a document, running helpers where needed; no domain access.</summary>
    internal async Task<IReadOnlyList<ImportCandidate>> ReadCandidatesAsync(DockerConfigDocument document, CancellationToken cancellationToken)
    {
        var helpersByAddress = new List<(RegistryAddress Address, string Key, string Helper)>();
        var candidates = new List<ImportCandidate>();
        foreach (var (key, helper) in document.CredHelpers)
        {
            if (!DockerConfigKeys.TryNormalizeScope(key, out var helperScope, out var error))
            {
                candidates.Add(ImportCandidate.Fail(key, null, $"credHelpers '{helper}'", error));
            }
            else if (!helperScope.IsHostLevel)
            {
                // docker asks a helper per registry host; under the host this key's credential would cover every repository.
                candidates.Add(ImportCandidate.Fail(key, helperScope.Address, $"credHelpers '{helper}'", $"the key names the repository path '{helperScope.Path}', but docker asks credential helpers per registry host: not imported, so that it is not widened to {helperScope.Address}; add it with registry add --path."));
            }
            else
            {
                helpersByAddress.Add((helperScope.Address, key, helper));
            }
        }

        var covered = new HashSet<RegistryAddress>();
        foreach (var entry in document.Auths)
        {
            if (!DockerConfigKeys.TryNormalizeScope(entry.Key, out var scope, out var error))
            {
                candidates.Add(ImportCandidate.Fail(entry.Key, null, "auths", error));
                continue;
            }

            var address = scope.Address;
            if (!scope.IsHostLevel)
            {
                // A namespace key (podman login quay.io/team): a path-scoped entry, never the whole host, and never
                // the host's helper (docker asks helpers per host, so no helper holds this path's credential).
                candidates.Add(entry.HasCredential && entry.Failure is null
                    ? ImportCandidate.Found(entry.Key, scope, "auths", entry.Username!, entry.Password!, entry.Email)
                    : ImportCandidate.Fail(entry.Key, address, "auths", entry.Failure ?? "the entry for a repository path holds no credential of its own (a credsStore or credHelpers answers per host only)."));
                continue;
            }

            covered.Add(address);
            var helper = helpersByAddress.FirstOrDefault(h => h.Address.Equals(address));
            if (helper.Helper is not null)
            {
                // The credential written in auths is overridden, but it is still a secret the helper's message must not show.
                var known = entry.HasCredential ? CredentialMask.For(entry.Username, entry.Password!.Reveal()) : CredentialMask.None;
                candidates.Add(await FromHelperAsync(helper.Key, address, $"credHelpers '{helper.Helper}'", helper.Helper, entry.Email, known, cancellationToken).ConfigureAwait(false));
            }
            else if (entry.HasCredential || entry.Failure is not null)
            {
                candidates.Add(entry.Failure is not null
                    ? ImportCandidate.Fail(entry.Key, address, "auths", entry.Failure)
                    : ImportCandidate.Found(entry.Key, address, "auths", entry.Username!, entry.Password!, entry.Email));
            }
            else if (entry.HasIdentityToken)
            {
                candidates.Add(ImportCandidate.Fail(entry.Key, address, "auths", DockerConfigDocument.AuthsEntry.IdentityTokenUnsupported));
            }
            else if (document.CredsStore is { } store)
            {
                candidates.Add(await FromHelperAsync(entry.Key, address, $"credsStore '{store}'", store, entry.Email, CredentialMask.None, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                candidates.Add(ImportCandidate.Fail(entry.Key, address, "auths", "the entry holds no credential and the config names no credsStore."));
            }
        }

        foreach (var (address, key, helper) in helpersByAddress)
        {
            if (covered.Add(address))
            {
                candidates.Add(await FromHelperAsync(key, address, $"credHelpers '{helper}'", helper, null, CredentialMask.None, cancellationToken).ConfigureAwait(false));
            }
        }

        return candidates;
    }

    private async Task<ImportCandidate> FromHelperAsync(string key, RegistryAddress address, string source, string helper, string? email, CredentialMask known, CancellationToken cancellationToken)
    {
        var answer = await _helpers.GetAsync(helper, key, known, cancellationToken).ConfigureAwait(false);
        return answer.Failure is { } failure
            ? ImportCandidate.Fail(key, address, source, failure)
            : ImportCandidate.Found(key, address, source, answer.Username!, answer.Secret!, email);
    }

    private async Task<DockerConfigImportEntry> ImportOneAsync(string environmentId, ImportCandidate candidate, string defaultEmail, CancellationToken cancellationToken)
    {
        if (candidate.Failure is not null || candidate.Address is null)
        {
            return candidate.ToEntry(DockerConfigImportStatus.Failed, null, candidate.Failure);
        }

        RegistryCredential credential;
        try
        {
            credential = CreateCredential(candidate, defaultEmail);
        }
        catch (ArgumentException ex)
        {
            // RegistryCredential's messages name the part that is wrong, never the password.
            return candidate.ToEntry(DockerConfigImportStatus.Failed, null, ex.Message);
        }

        // The address's own answer, whatever image references can name it (a single-label host has no image of its own).
        var address = candidate.Address;
        var scope = candidate.Scope!;
        CredentialResolution? current;
        if (scope.IsHostLevel)
        {
            current = await _service.ResolveAsync(environmentId, address, cancellationToken).ConfigureAwait(false);

            // The policy denies the whole address, so its answer names no entry: whether the credential is already
            // there is its own scope's answer (importing is adding, which the policy does not forbid).
            if (current.Outcome == ResolutionOutcome.Denied && current.MatchedRegistry is null)
            {
                current = await _service.ResolveAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            // Only the scope's own entry makes it unchanged: the host's credential answering for the path is not it.
            current = await _service.ResolveAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);
        }

        if (current is not null && current.Outcome == ResolutionOutcome.Authenticated
            && string.Equals(current.Username, credential.Username, StringComparison.Ordinal)
            && string.Equals(current.Password!.Reveal(), credential.Password!.Reveal(), StringComparison.Ordinal)
            && (candidate.Email is null || string.Equals(current.Email, credential.Email, StringComparison.OrdinalIgnoreCase)))
        {
            return candidate.ToEntry(DockerConfigImportStatus.Unchanged, current.RegistryId, "the effective credential already has this username and password.");
        }

        if (_verifier is { } verifier)
        {
            var verification = await verifier.VerifyAsync(address, credential, cancellationToken).ConfigureAwait(false);
            if (!verification.IsValid)
            {
                return candidate.ToEntry(DockerConfigImportStatus.Failed, null, $"verification: {verification.Outcome}: {verification.Message}");
            }
        }

        var added = await _service.AddRegistryAsync(environmentId, scope, credential, cancellationToken).ConfigureAwait(false);
        return candidate.ToEntry(DockerConfigImportStatus.Imported, added.Id, null);
    }

    private static RegistryCredential CreateCredential(ImportCandidate candidate, string defaultEmail)
    {
        if (candidate.Email is { Length: > 0 } email)
        {
            try
            {
                return new RegistryCredential(email, candidate.Username!, candidate.Password!);
            }
            catch (ArgumentException ex) when (ex.ParamName == "email")
            {
                // Not an address the domain accepts: the caller's default stands in.
            }
        }

        return new RegistryCredential(defaultEmail, candidate.Username!, candidate.Password!);
    }

    private static void ValidateDefaultEmail(string defaultEmail)
    {
        try
        {
            _ = new RegistryCredential(defaultEmail, "user", "password");
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException("The default e-mail address for imported credentials is not valid: " + ex.Message, nameof(defaultEmail), ex);
        }
    }
}
