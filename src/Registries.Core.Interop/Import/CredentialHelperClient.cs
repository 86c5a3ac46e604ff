using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Registries.Core.Interop;

/// <summary>Runs <c>docker-credential-NAME get</c>, Docker's credential helper protocol: the server URL on stdin, a JSON
/// document <c>{"ServerURL","Username","Secret"}</c> on stdout, or an error message on stdout and a non-zero exit code.</summary>
internal sealed partial class CredentialHelperClient
{
    private const string IdentityTokenUsername = "<token>";
    private readonly IReadOnlyList<string> _directories;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public CredentialHelperClient(IEnumerable<string> helperDirectories, TimeSpan timeout, TimeProvider timeProvider)
    {
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        _directories = helperDirectories
            .Concat(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Where(d => d.Length > 0)
            .ToArray();
        _timeout = timeout;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the credential a helper holds for a server, or why it could not be read.</summary>
    public async Task<HelperAnswer> GetAsync(string helper, string serverUrl, CancellationToken cancellationToken)
    {
        if (!HelperNamePattern().IsMatch(helper))
        {
            return HelperAnswer.Fail($"'{helper}' is not a credential helper name (letters, digits, '.', '_' and '-').");
        }

        var program = "docker-credential-" + helper;
        if (Find(program) is not { } executable)
        {
            return HelperAnswer.Fail($"the credential helper {program} was not found in the helper folders or on PATH.");
        }

        var start = new ProcessStartInfo(executable, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        start.Environment["PATH"] = string.Join(Path.PathSeparator, _directories);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return HelperAnswer.Fail($"{program} could not be started: {ex.Message}");
        }

        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string output;
        string error;
        try
        {
            var outputTask = process.StandardOutput.ReadToEndAsync(linked.Token);
            var errorTask = process.StandardError.ReadToEndAsync(linked.Token);
            try
            {
                await process.StandardInput.WriteAsync(serverUrl.AsMemory(), linked.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input; its exit code and output tell why.
            }

            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            output = await outputTask.ConfigureAwait(false);
            error = await errorTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return HelperAnswer.Fail($"{program} did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped.");
        }

        if (process.ExitCode != 0)
        {
            var said = FirstLine(output) ?? FirstLine(error) ?? "no message";
            return HelperAnswer.Fail($"{program} failed (exit code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {said}");
        }

        return Parse(program, output);
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

    private string? Find(string program)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd", program } : [program];
        foreach (var directory in _directories)
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length <= 200 ? line : line[..200] + "...";
    }

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
