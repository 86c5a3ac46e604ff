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
/// <para>On Linux the helper starts in a session and process group of its own (util-linux <c>setsid</c>, which execs
/// the helper under the same process id). Its answer is taken once it has exited, and then the whole group is killed:
/// a child it left running (holding stdout open) neither turns a good answer into a timeout nor survives the import.
/// The same group is killed on timeout or when the helper writes more than the bounded output.</para>
/// <para>Its output is bounded (<see cref="MaxStandardOutputBytes"/>, <see cref="MaxStandardErrorBytes"/>); what it says
/// on failure is reported on one line with every form of any credential it printed masked.</para>
/// </remarks>
internal sealed partial class CredentialHelperClient
{
    /// <summary>The most a helper may write on stdout: an answer is a small JSON document (a few KiB for cloud tokens).</summary>
    internal const int MaxStandardOutputBytes = 1024 * 1024;

    /// <summary>The most of a helper's stderr that is kept; the rest is read and dropped.</summary>
    internal const int MaxStandardErrorBytes = 64 * 1024;

    private const string IdentityTokenUsername = "<token>";
    private const int SigKill = 9;

    // How long the pipes may stay open after the helper exited and its group was killed: only a descendant that left
    // the group (its own setsid) can hold them, and what the helper wrote before exiting has been read by then.
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);
    private static readonly string? SetsidPath = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
        : null;

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
        if (Find(program) is not { } executable)
        {
            return HelperAnswer.Fail($"the credential helper {program} was not found in the helper folders or in the absolute folders of PATH (a helper in the current folder is never run).");
        }

        var start = SetsidPath is { } setsid ? new ProcessStartInfo(setsid) : new ProcessStartInfo(executable);
        if (SetsidPath is not null)
        {
            start.ArgumentList.Add(executable);
        }

        start.ArgumentList.Add("get");
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
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
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
        var output = new BoundedReader(process.StandardOutput.BaseStream, MaxStandardOutputBytes, failWhenFull: true);
        var error = new BoundedReader(process.StandardError.BaseStream, MaxStandardErrorBytes, failWhenFull: false);
        var outputTask = output.ReadAsync(drain.Token);
        var errorTask = error.ReadAsync(drain.Token);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(serverUrl.AsMemory(), linked.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input; its exit code and output tell why.
            }

            // Either the helper exits, or it floods stdout past the bound; both end the wait.
            var exited = process.WaitForExitAsync(linked.Token);
            await Task.WhenAny(exited, output.Overflowed).ConfigureAwait(false);
            if (output.IsOverflowed)
            {
                KillGroup(process);
                return HelperAnswer.Fail($"{program} wrote more than {MaxStandardOutputBytes / 1024} KiB on stdout and was stopped; a credential helper answers with a small JSON document: check the helper.");
            }

            await exited.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillGroup(process);
            await DrainAsync(drain, outputTask, errorTask).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return HelperAnswer.Fail($"{program} did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped.");
        }

        // The helper has answered and exited: whatever it left running goes with its group, which also closes the pipes.
        KillGroup(process);
        await DrainAsync(drain, outputTask, errorTask).ConfigureAwait(false);
        if (output.IsOverflowed)
        {
            return HelperAnswer.Fail($"{program} wrote more than {MaxStandardOutputBytes / 1024} KiB on stdout; a credential helper answers with a small JSON document: check the helper.");
        }

        var stdout = output.Text();
        if (process.ExitCode != 0)
        {
            // A helper that printed a credential before failing must not get it into the report.
            var mask = known;
            if (TryReadCredential(stdout, out var username, out var secret))
            {
                mask = mask.With(secret, username);
            }

            var said = FirstLine(mask.Apply(stdout)) ?? FirstLine(mask.Apply(error.Text())) ?? "no message";
            return HelperAnswer.Fail($"{program} failed (exit code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}): {said}");
        }

        return Parse(program, stdout);
    }

    private static async Task DrainAsync(CancellationTokenSource drain, Task outputTask, Task errorTask)
    {
        drain.CancelAfter(DrainAfterExit);
        try
        {
            await Task.WhenAll(outputTask, errorTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A descendant that left the helper's group still holds a pipe: what the helper wrote is read already.
        }
        catch (IOException)
        {
            // The pipe broke: what was read stands.
        }
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
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Kills the helper's process group (everything it started that stayed in it), or its process tree without setsid.</summary>
    private static void KillGroup(Process process)
    {
        int id;
        try
        {
            id = process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (SetsidPath is not null)
        {
            // setsid made the helper the leader of a group whose id is its pid; the group outlives the leader while any
            // member is alive, so the id cannot have been reused by then. ESRCH (nothing left) is the usual answer.
            _ = NativeKill(-id, SigKill);
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // It exited meanwhile.
        }
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length <= 200 ? line : line[..200] + "...";
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HelperNamePattern();

    /// <summary>Reads a stream to its end, keeping at most a bound of it.</summary>
    private sealed class BoundedReader
    {
        private readonly Stream _stream;
        private readonly int _limit;
        private readonly bool _failWhenFull;
        private readonly MemoryStream _kept = new();
        private readonly TaskCompletionSource _overflowed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public BoundedReader(Stream stream, int limit, bool failWhenFull)
        {
            _stream = stream;
            _limit = limit;
            _failWhenFull = failWhenFull;
        }

        public Task Overflowed => _overflowed.Task;

        public bool IsOverflowed => _overflowed.Task.IsCompleted;

        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var room = _limit - (int)_kept.Length;
                if (read > room)
                {
                    _kept.Write(buffer, 0, Math.Max(room, 0));
                    if (_failWhenFull)
                    {
                        _overflowed.TrySetResult();
                        return;
                    }

                    continue;
                }

                _kept.Write(buffer, 0, read);
            }
        }

        /// <summary>Returns what was kept; call it once reading has ended.</summary>
        public string Text() => Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
    }
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
