using System.Globalization;
using Xunit;

namespace Registries.Testing;

/// <summary>A network and mount namespace of the test's own (<c>unshare --net --mount</c>, loopback up) with the real
/// programs a containerd mirror test needs inside it: distribution registries (<c>docker-registry serve</c>, TLS with the
/// shared test certificate, htpasswd), containerd with its own root, state, socket and config (CRI plugin off), and
/// <c>ctr</c> and <c>skopeo</c> run through <c>nsenter</c>.</summary>
/// <remarks>Nothing started here can reach a name server or another machine: the namespace has loopback only, so the
/// registries listen on fixed ports of 127.0.0.1 without meeting anyone else's. Every process started is killed on
/// <see cref="DisposeAsync"/>, whatever happened before; waits are bounded by <see cref="Bound"/>.</remarks>
public sealed class ContainerdSandbox : IAsyncDisposable
{
    /// <summary>How long a program may take to come up or to finish.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly List<BackgroundProcess> _started = [];
    private readonly BackgroundProcess _holder;

    private ContainerdSandbox(TestDirectory directory, BackgroundProcess holder, TestServices services)
    {
        Directory = directory;
        _holder = holder;
        Services = services;
    }

    public TestDirectory Directory { get; }

    public TestServices Services { get; }

    /// <summary>Gets the containerd socket, once <see cref="StartContainerdAsync"/> ran.</summary>
    public string Socket => Directory.Combine("containerd", "containerd.sock");

    /// <summary>Makes the namespace: a holder process (<c>sleep</c>, bounded) whose namespaces every program enters.</summary>
    public static async Task<ContainerdSandbox> StartAsync(TestServices services)
    {
        foreach (var program in new[] { "unshare", "nsenter", "ip", "containerd", "ctr", "docker-registry", "htpasswd" })
        {
            Assert.True(
                (await Processes.RunAsync("sh", ["-c", "command -v " + program], timeout: TimeSpan.FromSeconds(10))).ExitCode == 0,
                $"{program} is missing: run `bash eng/services.sh install containerd` (Debian's containerd, docker-registry, apache2-utils, util-linux, iproute2).");
        }

        var directory = new TestDirectory("registries-containerd-");
        var holder = new BackgroundProcess("unshare", ["--net", "--mount", "--", "sh", "-c", "ip link set lo up && echo namespace-ready && exec sleep 900"]);
        var sandbox = new ContainerdSandbox(directory, holder, services);
        try
        {
            await WaitUntilAsync(() => holder.Log.Contains("namespace-ready", StringComparison.Ordinal) || holder.HasExited, "the network namespace");
            Assert.False(holder.HasExited, "unshare --net --mount failed (the tests run as root): " + holder.Log);
            return sandbox;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a distribution registry on 127.0.0.1:<paramref name="port"/> inside the namespace.</summary>
    /// <param name="name">A name for its files.</param>
    /// <param name="port">Its port.</param>
    /// <param name="dataDirectory">Its storage root.</param>
    /// <param name="htpasswd">Its htpasswd file.</param>
    /// <param name="readOnly">Whether it refuses pushes (a shared data folder served as it is).</param>
    public async Task<BackgroundProcess> StartRegistryAsync(string name, int port, string dataDirectory, string htpasswd, bool readOnly = false)
    {
        var config = Directory.Combine(name + ".yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: "{dataDirectory}"
              maintenance:
                uploadpurging:
                  enabled: false
                readonly:
                  enabled: {(readOnly ? "true" : "false")}
            http:
              addr: "127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"
              tls:
                certificate: "{Services.RegistryCert}"
                key: "{Services.RegistryKey}"
            auth:
              htpasswd:
                realm: "{name}"
                path: "{htpasswd}"
            """);
        var registry = Start("docker-registry", ["serve", config]);
        await WaitUntilAsync(() => registry.Log.Contains("listening on", StringComparison.Ordinal) || registry.HasExited, $"the {name} registry");
        Assert.False(registry.HasExited, $"the {name} registry ended: {registry.Log}");
        return registry;
    }

    /// <summary>The upstream registry's address inside the namespace.</summary>
    public const string Upstream = "127.0.0.1:5000";

    /// <summary>The mirror registry's address inside the namespace.</summary>
    public const string Mirror = "127.0.0.1:5001";

    /// <summary>The mirror registry's own user.</summary>
    public const string MirrorUser = "mirroruser";

    /// <summary>That user's password.</summary>
    public const string MirrorPassword = "Mirror-Password-7";

    /// <summary>Starts the upstream (the shared test registry's data served read-only, its htpasswd) and the mirror (its
    /// own data and user), seeds the mirror with the test image under each of <paramref name="mirrorNames"/> (skopeo,
    /// inside the namespace), and puts the test CA where trust installs it (<c>CERTS/HOST/ca.crt</c>) for both.</summary>
    /// <param name="mirrorNames">Repository:tag names the test image gets on the mirror.</param>
    /// <returns>Both registries (their logs show the requests) and the certificates folder.</returns>
    public async Task<(BackgroundProcess Upstream, BackgroundProcess Mirror, string Certificates)> StartUpstreamAndMirrorAsync(params string[] mirrorNames)
    {
        var state = Environment.GetEnvironmentVariable("REGISTRIES_TEST_STATE");
        Assert.False(string.IsNullOrEmpty(state), "REGISTRIES_TEST_STATE is not set: run `source STATE/env.sh` after eng/services.sh start.");
        var certificates = Directory.Combine("certs");
        foreach (var host in new[] { Upstream, Mirror })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(certificates, host));
            File.Copy(Services.RegistryCa, Path.Combine(certificates, host, "ca.crt"));
        }

        var htpasswd = Directory.Combine("mirror.htpasswd");
        await Processes.RunCheckedAsync("htpasswd", ["-Bic", htpasswd, MirrorUser], input: MirrorPassword + "\n");
        var upstream = await StartRegistryAsync("upstream", 5000, Path.Combine(state, "registry", "data"), Path.Combine(state, "registry", "htpasswd"), readOnly: true);
        var mirrorData = Directory.Combine("mirror-data");
        System.IO.Directory.CreateDirectory(mirrorData);
        var mirror = await StartRegistryAsync("mirror", 5001, mirrorData, htpasswd);
        foreach (var target in mirrorNames)
        {
            var copy = await RunAsync(Services.Skopeo, [
                "--insecure-policy", "copy",
                "--src-creds", Services.User + ":" + Services.Password, "--src-cert-dir", Path.Combine(certificates, Upstream),
                "--dest-creds", MirrorUser + ":" + MirrorPassword, "--dest-cert-dir", Path.Combine(certificates, Mirror),
                $"docker://{Upstream}/{Services.Image}", $"docker://{Mirror}/{target}"]);
            Assert.True(copy.ExitCode == 0, $"skopeo could not seed the mirror with {target}: {copy.Error}");
        }

        return (upstream, mirror, certificates);
    }

    /// <summary>Starts containerd with its own root, state, socket and config, the CRI plugin disabled.</summary>
    public async Task StartContainerdAsync()
    {
        var root = Directory.Combine("containerd");
        System.IO.Directory.CreateDirectory(root);
        var config = Directory.Combine("containerd.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{root}/root"
            state = "{root}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]

            [grpc]
              address = "{Socket}"

            [plugins."io.containerd.internal.v1.opt"]
              path = "{root}/opt"
            """);
        var containerd = Start("containerd", ["--config", config]);
        await WaitUntilAsync(() => containerd.Log.Contains("containerd successfully booted", StringComparison.Ordinal) || containerd.HasExited, "containerd");
        Assert.False(containerd.HasExited, "containerd ended: " + containerd.Log);
    }

    /// <summary>Runs a program inside the namespace to its end.</summary>
    public Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments)
        => Processes.RunAsync("nsenter", Enter(program, arguments), timeout: Bound);

    /// <summary>Pulls with the real <c>ctr</c>, reading the host configuration from <paramref name="hostsDirectory"/>.</summary>
    public Task<ProcessResult> PullAsync(string hostsDirectory, string user, string image)
        => RunAsync("ctr", ["--address", Socket, "images", "pull", "--snapshotter", "native", "--hosts-dir", hostsDirectory, "--user", user, image]);

    /// <summary>Kills a program started here and waits (bounded) for its end.</summary>
    public async Task StopAsync(BackgroundProcess process)
    {
        _started.Remove(process);
        await process.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        // Every program, then the namespace's holder: killed even when the test failed half-way.
        foreach (var process in Enumerable.Reverse(_started))
        {
            await process.DisposeAsync();
        }

        await _holder.DisposeAsync();
        Directory.Dispose();
    }

    private BackgroundProcess Start(string program, IEnumerable<string> arguments)
    {
        var process = new BackgroundProcess("nsenter", Enter(program, arguments));
        _started.Add(process);
        return process;
    }

    // nsenter execs the program itself (no fork for these namespaces), so the process killed is the program.
    private string[] Enter(string program, IEnumerable<string> arguments)
    {
        var pid = _holder.Id.ToString(CultureInfo.InvariantCulture);
        return [$"--net=/proc/{pid}/ns/net", $"--mount=/proc/{pid}/ns/mnt", "--", program, .. arguments];
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not come up within {Bound.TotalSeconds} s.");
            }

            // A bounded poll of a condition, never a wait that stands for one.
            await Task.Delay(50);
        }
    }
}
