using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>Serves Docker's credential helper protocol (<c>docker-credential-NAME get|list|store|erase|version</c>) from an
/// environment's registries, so that the docker CLI, skopeo and podman ask the store at every pull and no password sits
/// in a file.</summary>
/// <remarks>
/// <para>The protocol, as the docker CLI and containers/image speak it: the verb is the program's one argument; <c>get</c>
/// and <c>erase</c> read a server URL on stdin, <c>store</c> a JSON document <c>{"ServerURL","Username","Secret"}</c>;
/// <c>get</c> answers that document on stdout, <c>list</c> a JSON object from server URL to username; a failure is one
/// line on stdout and exit code 1, and the line <see cref="CredentialsNotFoundMessage"/> means "no credential here", on
/// which clients pull anonymously.</para>
/// <para>The answer follows the environment's rules at the moment of the call (<see cref="RegistryService.ResolveAsync(string, RegistryAddress, CancellationToken)"/>):
/// Authenticated gives the effective credential, resolved afresh at every call (a fetched one from its source's cache,
/// never after it expires); an identity token is answered with the username <c>&lt;token&gt;</c>, the protocol's way
/// to say "this secret is an identity token"; Anonymous gives "not found"; Denied (the effective entry is inactive) and
/// Unavailable (its credential source failed) give an error that is not "not found", with the reason, so that a client
/// which honours helper errors stops.
/// <c>store</c> and <c>erase</c> are refused: credentials are managed through the registries, never by <c>docker login</c>.</para>
/// <para>Policy: the helper can only withhold a credential, never refuse a pull, and it is asked per server, never per
/// image. So it withholds the credential of a server only when the environment's <see cref="RegistryPolicy"/> denies
/// every image of it (<see cref="RegistryPolicy.EvaluateAddress"/>: a host-level deny rule, or allow rules none of
/// which covers the server), answering that error instead of "not found"; a server only some of whose images are denied
/// (a deny rule on <c>HOST/team</c>, a digest-only allow rule) still gets its credential, for every image. <c>list</c>
/// leaves out the servers it would withhold. The tools then pull a denied image anonymously, which a private registry
/// refuses and a public one does not: for a policy that holds, pull through <see cref="Engine.ImagePullService"/>, or give
/// podman, skopeo and CRI-O the exported <c>policy.json</c>.</para>
/// <para>Scopes: the protocol asks per server (a registry host), never per image, so the helper answers the host-level
/// resolution of that host: the whole-address entry, or else a host pattern covering it. A path-scoped entry
/// (<c>REGISTRY/team</c>) is not served through it: docker sends the host's credential for <c>REGISTRY/team/app</c> too, or
/// none. For per-repository credentials give the tools a containers <c>auth.json</c>
/// (<see cref="DockerConfigExport.ToContainersAuthJson"/>) or use the kubelet provider, which asks per image.</para>
/// <para>What a failure says never holds a password; it is written on stdout (where clients read it) and on the
/// diagnostic writer (stderr, for a person). Input is read up to <see cref="MaxInputCharacters"/> characters, so a
/// runaway stdin (<c>/dev/zero</c>) ends with an error rather than exhausting memory. Not thread-safe: one instance
/// serves one call of the program at a time.</para>
/// </remarks>
public sealed class DockerCredentialHelper
{
    /// <summary>The name of the program that serves this helper; <c>credsStore</c>/<c>credHelpers</c> name it <c>registries</c>.</summary>
    public const string ProgramName = "docker-credential-registries";

    /// <summary>The exact answer the protocol defines for "no credential for this server" (the client then pulls anonymously).</summary>
    public const string CredentialsNotFoundMessage = "credentials not found in native keychain";

    /// <summary>The most characters of stdin read for one verb; a server URL or a credential document is far smaller.</summary>
    public const int MaxInputCharacters = 64 * 1024;

    /// <summary>The exit code of a verb that succeeded.</summary>
    public const int Success = 0;

    /// <summary>The exit code of every failure, as the protocol's own helpers return it.</summary>
    public const int Failure = 1;

    // The docker CLI encodes the Docker Hub credential under this key (its "index server"); list answers it so.
    private const string DockerHubServerUrl = "https://index.docker.io/v1/";

    private readonly RegistryService _registries;
    private readonly string _environmentId;

    /// <summary>Initializes a helper for one environment.</summary>
    /// <param name="registries">The service, bound to the caller whose rights the helper uses (<see cref="RegistryService.As(string)"/>);
    /// that caller must be an Owner or Member for <c>get</c> to hand out a credential.</param>
    /// <param name="environmentId">The environment's id.</param>
    /// <exception cref="ArgumentNullException"><paramref name="registries"/> or <paramref name="environmentId"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="environmentId"/> is empty or blank.</exception>
    public DockerCredentialHelper(RegistryService registries, string environmentId)
    {
        ArgumentNullException.ThrowIfNull(registries);
        ArgumentException.ThrowIfNullOrWhiteSpace(environmentId);
        _registries = registries;
        _environmentId = environmentId;
    }

    /// <summary>Runs one verb of the protocol: reads its input, writes its answer and returns the program's exit code.</summary>
    /// <param name="verb">The verb: <c>get</c>, <c>list</c>, <c>store</c>, <c>erase</c> or <c>version</c>.</param>
    /// <param name="input">The program's stdin.</param>
    /// <param name="output">The program's stdout: the answer, or the one-line failure clients read.</param>
    /// <param name="diagnostics">The program's stderr: the same failure line, for a person; never a password.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="Success"/>, or <see cref="Failure"/> after one line on <paramref name="output"/>.</returns>
    /// <remarks>Every failure of the store, of the rules or of the input becomes the protocol's failure line; only
    /// cancellation and a broken writer are thrown.</remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<int> RunAsync(string verb, TextReader input, TextWriter output, TextWriter diagnostics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verb);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(diagnostics);
        string answer;
        try
        {
            answer = verb switch
            {
                "get" => await GetAsync(input, cancellationToken).ConfigureAwait(false),
                "list" => await ListAsync(cancellationToken).ConfigureAwait(false),
                "store" or "erase" => await RefuseAsync(verb, input, cancellationToken).ConfigureAwait(false),
                "version" => Version(),
                _ => throw new HelperFailure($"unknown credential action '{Printable(verb)}': give one of get, list, store, erase, version."),
            };
        }
        catch (HelperFailure failure)
        {
            return await FailAsync(failure.Message, output, diagnostics, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistriesException exception)
        {
            // The library's messages say what is wrong and never hold a secret (a wrong environment, a ReadOnly caller,
            // a store that cannot be read).
            return await FailAsync(exception.Message, output, diagnostics, cancellationToken).ConfigureAwait(false);
        }

        await output.WriteAsync(answer.AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return Success;
    }

    // The effective credential for the server URL docker sends: HOST[:PORT], https://HOST/v1/, Docker Hub's legacy
    // https://index.docker.io/v1/ and its aliases (index.docker.io, registry-1.docker.io, docker.io).
    private async Task<string> GetAsync(TextReader input, CancellationToken cancellationToken)
    {
        var serverUrl = (await ReadInputAsync(input, cancellationToken).ConfigureAwait(false)).Trim();
        if (serverUrl.Length == 0)
        {
            throw new HelperFailure("no credentials server URL: give the registry's server URL (host[:port]) on stdin.");
        }

        var address = AddressOf(serverUrl);
        var resolution = await _registries.ResolveAsync(_environmentId, address, cancellationToken).ConfigureAwait(false);
        switch (resolution.Outcome)
        {
            case ResolutionOutcome.Authenticated when resolution.SecretKind == CredentialSecretKind.RegistryToken:
                // The protocol has a username and a secret, and "<token>" for an identity token; a bare access token
                // has no place in it.
                throw new HelperFailure($"the credential of {address} in environment {_environmentId} is a registry access token, which Docker's credential helper protocol cannot carry.");
            case ResolutionOutcome.Authenticated:
                return Json(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("ServerURL", serverUrl);

                    // The protocol's way to hand out an identity (refresh) token: the username "<token>", which the
                    // docker CLI reads as "put Secret in identitytoken".
                    writer.WriteString("Username", resolution.SecretKind == CredentialSecretKind.IdentityToken ? IdentityTokenSource.IdentityTokenUsername : resolution.Username);
                    writer.WriteString("Secret", resolution.Password!.Reveal());
                    writer.WriteEndObject();
                });
            case ResolutionOutcome.Anonymous:
                throw new HelperFailure(CredentialsNotFoundMessage);
            case ResolutionOutcome.Unavailable:
                // Not "not found" either: the credential exists but its source cannot give it now.
                throw new HelperFailure($"the credential of {address} in environment {_environmentId} is unavailable: {resolution.Reason}");
            default:
                // Not "not found": a client that honours helper errors (skopeo) stops here instead of pulling anonymously.
                throw new HelperFailure($"pulls from {address} are denied in environment {_environmentId}: {resolution.Reason}");
        }
    }

    // Addresses and usernames of the credentials get would hand out (effective and active), never a password.
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await _registries.ListRegistriesAsync(_environmentId, cancellationToken).ConfigureAwait(false);
        var policy = await _registries.GetPolicyAsync(_environmentId, cancellationToken).ConfigureAwait(false);
        var listed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // A server the policy denies as a whole is withheld by get, so it is not listed either.
            if (entry.IsEffective && entry.Registry.State == RegistryState.Active
                && policy.EvaluateAddress(entry.Registry.Address).IsAllowed)
            {
                var key = entry.Registry.Address.IsDockerHub ? DockerHubServerUrl : entry.Registry.Address.ToString();
                listed.TryAdd(key, entry.Registry.Username);
            }
        }

        return Json(writer =>
        {
            writer.WriteStartObject();
            foreach (var (serverUrl, username) in listed)
            {
                writer.WriteString(serverUrl, username);
            }

            writer.WriteEndObject();
        });
    }

    // The input (a credential docker login wants to keep) is read, bounded, and dropped without being looked at.
    private static async Task<string> RefuseAsync(string verb, TextReader input, CancellationToken cancellationToken)
    {
        _ = await ReadInputAsync(input, cancellationToken).ConfigureAwait(false);
        throw new HelperFailure($"'{verb}' is refused: this helper serves the credentials of the registries store, which are managed with 'registries registry add|edit|deactivate|delete', not with docker login or docker logout.");
    }

    private static string Version()
    {
        var version = typeof(DockerCredentialHelper).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(DockerCredentialHelper).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return $"{ProgramName} (Registries.Core.Interop) {(plus < 0 ? version : version[..plus])}\n";
    }

    private static RegistryAddress AddressOf(string serverUrl)
    {
        if (!DockerConfigKeys.TryNormalize(serverUrl, out var address, out _))
        {
            // The input is not quoted back: whatever was piped here by mistake (a password) must not reach a terminal.
            throw new HelperFailure("the server URL on stdin is not a registry address: give host[:port] (registry.example.com:5000) or https://host[:port]/v1/, as docker sends it.");
        }

        return address;
    }

    // Reads stdin to its end, at most MaxInputCharacters: more is no server URL (a binary file, /dev/zero).
    private static async Task<string> ReadInputAsync(TextReader input, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        while (true)
        {
            var read = await input.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return text.ToString();
            }

            if (text.Length + read > MaxInputCharacters)
            {
                throw new HelperFailure(string.Create(CultureInfo.InvariantCulture, $"the input is longer than {MaxInputCharacters} characters: give one server URL (host[:port]) on stdin, as docker does."));
            }

            text.Append(buffer, 0, read);
        }
    }

    private static async Task<int> FailAsync(string message, TextWriter output, TextWriter diagnostics, CancellationToken cancellationToken)
    {
        var line = Printable(message);
        await output.WriteAsync((line + "\n").AsMemory(), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        // "Not found" is an ordinary answer (the client pulls anonymously), not worth a line on a person's terminal.
        if (!ReferenceEquals(output, diagnostics) && message != CredentialsNotFoundMessage)
        {
            await diagnostics.WriteAsync((ProgramName + ": " + line + "\n").AsMemory(), cancellationToken).ConfigureAwait(false);
            await diagnostics.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return Failure;
    }

    // One line, whatever a message quotes (a server URL with a newline, NULs from a binary stdin): a control character
    // is shown as \uXXXX and a long text is cut, so the client's one-line error stays one readable line.
    private static string Printable(string text)
    {
        const int MaxLength = 1024;
        var line = new StringBuilder(Math.Min(text.Length, MaxLength) + 16);
        foreach (var character in text)
        {
            if (line.Length >= MaxLength)
            {
                line.Append('…');
                break;
            }

            if (char.IsControl(character))
            {
                line.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
            }
            else
            {
                line.Append(character);
            }
        }

        return line.ToString();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    // A protocol failure with its one-line message; never leaves this class.
    private sealed class HelperFailure(string message) : Exception(message);
}
