using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;
using Registries.Core.Sources;

namespace Registries.Core.Interop;

/// <summary>The credential source of entries whose credential comes from a Docker credential helper: runs
/// <c>docker-credential-NAME get</c> with the protocol docker uses.</summary>
/// <remarks>
/// <para>The protocol: the server is written on the helper's stdin (for Docker Hub <c>https://index.docker.io/v1/</c>,
/// as docker asks; otherwise <c>host[:port]</c>), and the helper answers a JSON document
/// <c>{"ServerURL","Username","Secret"}</c> on stdout and exits 0, or writes an error message on stdout and exits
/// non-zero. A username <c>&lt;token&gt;</c> means the secret is an identity token
/// (<see cref="CredentialSecretKind.IdentityToken"/>).</para>
/// <para>"No credential" is an answer, not a failure (<see langword="null"/>): the protocol's
/// <c>credentials not found in native keychain</c>, or an empty username and secret (what <c>docker-credential-pass</c>
/// answers for a server it does not know). Note that <c>docker-credential-ecr-login</c> answers
/// <c>credentials not found in native keychain</c> for every failure (its reason goes to <c>~/.ecr/log</c>).</para>
/// <para>Helpers do not say when what they give expires: <see cref="SourcedCredential.ExpiresAt"/> is
/// <see langword="null"/>, and the cache keeps the value for its configured maximum, which an operator sets below the
/// token's life (ECR tokens last 12 hours, Google's one hour).</para>
/// <para>Only the helpers named in <see cref="CredentialHelperSourceOptions.AllowedHelpers"/> run, found in
/// <see cref="CredentialHelperSourceOptions.HelperDirectories"/> (or the absolute folders of <c>PATH</c>), and only when
/// no other user can replace them. A helper runs with this process's environment (it needs <c>HOME</c>, its store's
/// variables, a cloud SDK's settings), its <c>PATH</c> set to the helper folders followed by the absolute folders of this process's (a helper runs programs of
/// its own, such as <c>pass</c>), in a process group of its own that is
/// killed once it answered or after <see cref="CredentialHelperSourceOptions.Timeout"/>; its output is bounded (1 MiB),
/// and what it says on failure is reported on one line, with any credential it printed masked.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class DockerCredentialHelperSource : ICredentialSource
{
    /// <summary>The server docker asks a helper for when the registry is Docker Hub.</summary>
    public const string DockerHubServer = "https://index.docker.io/v1/";

    private const string NotFoundMessage = "credentials not found in native keychain";
    private const string IdentityTokenUsername = "<token>";

    private readonly HashSet<string> _allowed;
    private readonly IReadOnlyList<string> _directories;
    private readonly string _helperPath;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a source.</summary>
    /// <param name="options">The options, read once.</param>
    /// <param name="timeProvider">The clock of the timeout; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid (a helper name that is not one, a relative
    /// folder, a timeout that is not positive or longer than 10 minutes); the message says what to fix.</exception>
    public DockerCredentialHelperSource(IOptions<CredentialHelperSourceOptions> options, TimeProvider? timeProvider = null)
    {
        var value = ValidatedOptions.Get(options, new CredentialHelperSourceOptionsValidator());
        _allowed = new HashSet<string>(value.AllowedHelpers, StringComparer.Ordinal);
        _directories = value.HelperDirectories.Count > 0
            ? value.HelperDirectories.ToArray()
            : CredentialHelperClient.AbsolutePathEntries(System.Environment.GetEnvironmentVariable("PATH")).ToArray();
        _helperPath = string.Join(Path.PathSeparator, _directories.Concat(CredentialHelperClient.AbsolutePathEntries(System.Environment.GetEnvironmentVariable("PATH"))).Distinct(StringComparer.Ordinal));
        _timeout = value.Timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public CredentialSourceKind Kind => CredentialSourceKind.CredentialHelper;

    /// <summary>Tells what keeps an allowed helper from running here (not found in the folders, or refused by
    /// <see cref="TrustedProgram"/>), one line each; none when every allowed helper may run. For the health check.</summary>
    internal IEnumerable<string> Problems()
    {
        foreach (var helper in _allowed.Order(StringComparer.Ordinal))
        {
            var program = "docker-credential-" + helper;
            if (TrustedProgram.Find(_directories, program) is not { } executable)
            {
                yield return $"the credential helper {program} was not found in {(_directories.Count == 0 ? "any folder (PATH has no absolute folder)" : string.Join(", ", _directories))}: install it there, or remove '{helper}' from the allowed helpers.";
            }
            else if (TrustedProgram.Distrust(executable, "the credential helper " + program) is { } distrust)
            {
                yield return distrust;
            }
        }
    }

    /// <summary>Returns the server docker writes on a helper's stdin for a registry address.</summary>
    /// <param name="address">The address.</param>
    /// <returns><see cref="DockerHubServer"/> for Docker Hub, otherwise <c>host[:port]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public static string ServerFor(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsDockerHub ? DockerHubServer : address.ToString();
    }

    /// <summary>Runs the entry's helper and returns what it holds for the address.</summary>
    /// <param name="request">The entry (its source names the helper) and what is resolved.</param>
    /// <param name="cancellationToken">Cancels the operation (the helper is killed).</param>
    /// <returns>The credential, or <see langword="null"/> when the helper has none for the server.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The entry's source is not a credential helper.</exception>
    /// <exception cref="CredentialSourceException">The helper is not allowed, not found, refused (another user can replace
    /// it), could not start, timed out, wrote too much, failed or answered something that is not a credential.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<SourcedCredential?> FetchAsync(CredentialSourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.Registry.Source;
        if (source.Kind != CredentialSourceKind.CredentialHelper || source.Name is not { } helper)
        {
            throw new ArgumentException($"The entry's source is {source}, not a credential helper.", nameof(request));
        }

        var program = "docker-credential-" + helper;
        if (!_allowed.Contains(helper))
        {
            throw new CredentialSourceException(source, $"the credential helper '{helper}' is not allowed here: the operator allows {Allowed()} (the CLI reads REGISTRIES_CREDENTIAL_HELPERS); ask them to add it, or use another source.");
        }

        if (TrustedProgram.Find(_directories, program) is not { } executable)
        {
            throw new CredentialSourceException(source, $"the credential helper {program} was not found in {(_directories.Count == 0 ? "any folder (PATH has no absolute folder)" : string.Join(", ", _directories))}: install it there.");
        }

        if (TrustedProgram.Distrust(executable, "the credential helper " + program) is { } distrust)
        {
            throw new CredentialSourceException(source, distrust);
        }

        var server = ServerFor(request.Address);
        var run = await BoundedProcess.RunAsync(
            executable,
            ["get"],
            server,
            [new("PATH", _helperPath)],
            inheritEnvironment: true,
            _timeout,
            _timeProvider,
            cancellationToken).ConfigureAwait(false);
        SourceProgramRuns.ThrowIfUnanswered(source, program, run, _timeout, "a credential helper");

        var answer = Read(run.StandardOutput);
        if (run.ExitCode != 0)
        {
            var stdout = run.StandardOutput.Trim();
            if (string.Equals(stdout, NotFoundMessage, StringComparison.Ordinal))
            {
                return null;
            }

            // A helper that printed a credential before failing must not get it into the report.
            var mask = answer is { Secret: { Length: > 0 } printed } ? CredentialMask.For(answer.Username, printed) : CredentialMask.None;
            mask = PrintedSecrets.Add(mask, ["Secret"], run.StandardOutput, run.StandardError);
            var said = BoundedProcess.FirstLine(mask.Apply(stdout)) ?? BoundedProcess.FirstLine(mask.Apply(run.StandardError)) ?? "no message";
            throw new CredentialSourceException(source, $"{program} failed for {server} (exit code {run.ExitCode.ToString(CultureInfo.InvariantCulture)}): {said}");
        }

        if (answer is null)
        {
            throw new CredentialSourceException(source, $"{program} answered something that is not the protocol's JSON object for {server}: check the helper.");
        }

        var username = answer.Username ?? string.Empty;
        var secret = answer.Secret ?? string.Empty;
        if (username.Length == 0 && secret.Length == 0)
        {
            return null;
        }

        if (secret.Length == 0)
        {
            throw new CredentialSourceException(source, $"{program} answered a Username but no Secret for {server}: store the credential again in the helper.");
        }

        if (username.Length == 0 || username.Any(char.IsControl))
        {
            throw new CredentialSourceException(source, $"{program} answered a Secret with {(username.Length == 0 ? "no Username" : "a Username holding control characters")} for {server}: store the credential again in the helper.");
        }

        var kind = string.Equals(username, IdentityTokenUsername, StringComparison.Ordinal) ? CredentialSecretKind.IdentityToken : CredentialSecretKind.Password;
        return new SourcedCredential(username, new RegistrySecret(secret), kind, expiresAt: null, CredentialCacheScope.Registry);
    }

    /// <inheritdoc/>
    public override string ToString() => $"docker credential helpers ({Allowed()})";

    private string Allowed() => _allowed.Count == 0 ? "no helper" : string.Join(", ", _allowed.Order(StringComparer.Ordinal));

    private static HelperReply? Read(string output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new HelperReply(String(root, "Username"), String(root, "Secret"));
        }
        catch (JsonException)
        {
            return null;
        }

        static string? String(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private sealed class HelperReply(string? username, string? secret)
    {
        public string? Username { get; } = username;

        public string? Secret { get; } = secret;

        public override string ToString() => $"'{Username}' (secret hidden)";
    }
}
