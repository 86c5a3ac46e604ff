using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Runs <c>docker-credential-NAME get</c>, Docker's credential helper protocol: the server URL on stdin, a JSON
/// document <c>{"ServerURL","Username","Secret"}</c> on stdout, or an error message on stdout and a non-zero exit code.</summary>
/// <remarks>
/// <para>The helper is found in the configured folders, then in the absolute folders of <c>PATH</c>: an empty or relative
/// <c>PATH</c> entry (<c>.</c>, <c>bin</c>) is skipped, as the docker CLI refuses a helper found through one (Go's
/// <c>exec.ErrDot</c>), so a <c>docker-credential-*</c> planted in the current folder never runs.</para>
/// <para>The helper runs through <see cref="BoundedProcess"/>: in a process group of its own that is killed once it has
/// answered, on timeout, or when it writes more than the bounded output.</para>
/// <para>Its output is bounded (<see cref="MaxStandardOutputBytes"/>, <see cref="MaxStandardErrorBytes"/>); what it says
/// on failure is reported on one line with every form of any credential it printed masked.</para>
/// </remarks>
internal sealed partial class CredentialHelperClient
{
    /// <summary>The most a helper may write on stdout: an answer is a small JSON document (a few KiB for cloud tokens).</summary>
    internal const int MaxStandardOutputBytes = BoundedProcess.MaxStandardOutputBytes;

    /// <summary>The most of a helper's stderr that is kept; the rest is read and dropped.</summary>
    internal const int MaxStandardErrorBytes = BoundedProcess.MaxStandardErrorBytes;

    private const string IdentityTokenUsername = "<token>";

    private readonly IReadOnlyList<string> _directories;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public CredentialHelperClient(IEnumerable<string> helperDirectories, TimeSpan timeout, TimeProvider timeProvider)
        : this(helperDirectories, System.Environment.GetEnvironmentVariable("PATH"), timeout, timeProvider)
    {
    }

    internal CredentialHelperClient(IEnumerable<string> helperDirectories, string? path, TimeSpan timeout, TimeProvider timeProvider)
    {
        _directories = helperDirectories
            .Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(Path.GetFullPath)
            .Concat(AbsolutePathEntries(path))
            .ToArray();
        _timeout = timeout;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the folders searched, in order.</summary>
    internal IReadOnlyList<string> Directories => _directories;

    /// <summary>Returns the absolute entries of a <c>PATH</c> value; empty and relative entries are dropped, as the docker CLI refuses them.</summary>
    internal static IEnumerable<string> AbsolutePathEntries(string? path)
        => (path ?? string.Empty).Split(Path.PathSeparator).Where(Path.IsPathFullyQualified);

    /// <summary>Gets the credential a helper holds for a server, or why it could not be read.</summary>
    /// <param name="helper">The helper's name (the part after <c>docker-credential-</c>).</param>
    /// <param name="serverUrl">The server URL to ask for, sent on stdin.</param>
    /// <param name="known">Credentials already known for this entry, masked in what the helper says.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<HelperAnswer> GetAsync(string helper, string serverUrl, CredentialMask known, CancellationToken cancellationToken)
    {
        if (!HelperNamePattern().IsMatch(helper))
        {
            return HelperAnswer.Fail($"'{UserInfo.Redact(helper)}' is not a credential helper name (letters, digits, '.', '_' and '-').");
        }

        var program = "docker-credential-" + helper;
        if (TrustedProgram.Find(_directories, program) is not { } executable)
        {
            return HelperAnswer.Fail($"the credential helper {program} was not found in the helper folders or in the absolute folders of PATH (a helper in the current folder is never run).");
        }

        var run = await BoundedProcess.RunAsync(
            executable,
            ["get"],
            serverUrl,
            [new("PATH", string.Join(Path.PathSeparator, _directories))],
            inheritEnvironment: true,
            _timeout,
            _timeProvider,
            cancellationToken).ConfigureAwait(false);
        switch (run.Status)
        {
            case ProgramRunStatus.NotStarted:
                return HelperAnswer.Fail($"{program} could not be started: {run.StartError}");
            case ProgramRunStatus.TimedOut:
                return HelperAnswer.Fail($"{program} did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped.");
            case ProgramRunStatus.OutputTooLarge:
                return HelperAnswer.Fail($"{program} wrote more than {MaxStandardOutputBytes / 1024} KiB on stdout and was stopped; a credential helper answers with a small JSON document: check the helper.");
        }

        var stdout = run.StandardOutput;
        if (run.ExitCode != 0)
        {
            // A helper that printed a credential before failing must not get it into the report.
            var mask = known;
            if (TryReadCredential(stdout, out var username, out var secret))
            {
                mask = mask.With(secret, username);
            }

            var said = FirstLine(mask.Apply(stdout)) ?? FirstLine(mask.Apply(run.StandardError)) ?? "no message";
            return HelperAnswer.Fail($"{program} failed (exit code {run.ExitCode.ToString(CultureInfo.InvariantCulture)}): {said}");
        }

        return Parse(program, stdout);
    }

    private static bool TryReadCredential(string output, [NotNullWhen(true)] out string? username, [NotNullWhen(true)] out string? secret)
    {
        username = null;
        secret = null;
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } found)
            {
                secret = found;
                username = root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() ?? string.Empty : string.Empty;
                return true;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private static HelperAnswer Parse(string program, string output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return HelperAnswer.Fail($"{program} answered something other than a JSON object.");
            }

            var username = root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            var secret = root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (username == IdentityTokenUsername)
            {
                return HelperAnswer.Fail($"{program} holds an identity token (username '{IdentityTokenUsername}'), not a password; identity tokens are not supported: log in with a username and password.");
            }

            if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(secret))
            {
                return HelperAnswer.Fail($"{program} answered without a Username or a Secret.");
            }

            return HelperAnswer.Found(username, new RegistrySecret(secret));
        }
        catch (JsonException)
        {
            return HelperAnswer.Fail($"{program} answered something that is not JSON.");
        }
    }

    private static string? FirstLine(string text) => BoundedProcess.FirstLine(text);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HelperNamePattern();
}

/// <summary>What a credential helper answered: a username and secret, or why not.</summary>
internal sealed class HelperAnswer
{
    private HelperAnswer(string? username, RegistrySecret? secret, string? failure)
    {
        Username = username;
        Secret = secret;
        Failure = failure;
    }

    public string? Username { get; }

    public RegistrySecret? Secret { get; }

    public string? Failure { get; }

    public static HelperAnswer Found(string username, RegistrySecret secret) => new(username, secret, null);

    public static HelperAnswer Fail(string reason) => new(null, null, reason);

    public override string ToString() => Failure ?? $"'{Username}' (secret hidden)";
}
