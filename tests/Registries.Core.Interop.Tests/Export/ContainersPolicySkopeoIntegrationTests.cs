using System.Globalization;
using System.Text;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The real skopeo obeys our exported <c>registries.conf</c> and <c>policy.json</c>: an image only the mirror
/// has is read under the upstream's name, an image outside the allow list and an allow rule under a deny rule are
/// refused by skopeo's own policy check, a digest-only scope refuses a pull by tag, and a denied scope is blocked.</summary>
/// <remarks>Everything runs inside one network namespace of the test's own (<c>unshare -n</c>, loopback up, a PID
/// namespace so that nothing outlives it): an upstream distribution registry serving the shared registry's data read-only
/// on the shared registry's address, and a mirror registry with its own data, both with TLS and htpasswd.</remarks>
[Trait("Category", "Integration")]
public sealed class ContainersPolicySkopeoIntegrationTests : IAsyncLifetime
{
    private const int MirrorPort = 5999;
    private const string DigestTemplate = "{{.Digest}}";
    private readonly TestServices _services = TestServices.Require();
    private readonly TestDirectory _directory = new("registries-containers-policy-");
    private readonly Dictionary<string, (int ExitCode, string Output)> _steps = new(StringComparer.Ordinal);
    private string _registriesConf = string.Empty;
    private string _policyJson = string.Empty;

    private string Upstream => _services.Registry;

    private string Mirror => "127.0.0.1:" + MirrorPort.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Copy_AnImageOnlyTheMirrorHas_IsReadFromTheMirrorUnderTheUpstreamName()
    {
        Assert.Contains("[[registry.mirror]]", _registriesConf, StringComparison.Ordinal);
        AssertSucceeded("direct-upstream-lacks-it", expectFailure: true);
        AssertSucceeded("mirrored-inspect");
        AssertSucceeded("mirrored-copy");
        Assert.Contains("\"Name\": \"" + Upstream + "/test/hello\"", _steps["mirrored-inspect"].Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_AnImageOutsideTheAllowList_IsRejectedBySkopeosPolicy()
    {
        AssertRejectedByPolicy("outside-allow-list");
        AssertSucceeded("outside-allow-list-exists");
    }

    // policy.json alone (with a plain mirror configuration of the test's own, so that the image opens before the
    // policy is asked): the more specific allow rule does not win over the deny rule above it.
    [Fact]
    public void Copy_AnAllowRuleUnderADenyRule_IsRejected()
    {
        Assert.Contains($"\"{Upstream}/team/app\"", _policyJson, StringComparison.Ordinal);
        AssertRejectedByPolicy("allow-under-deny");
        var (exitCode, output) = _steps["allow-under-deny-ours"];
        Assert.True(exitCode != 0 && output.Contains("blocked", StringComparison.Ordinal), "our registries.conf did not block team/app: " + output);
    }

    [Fact]
    public void Copy_ADigestOnlyScope_IsRejectedByTagAndByDigest()
    {
        AssertRejectedByPolicy("digest-only-by-tag");
        AssertRejectedByPolicy("digest-only-by-digest");
    }

    // mirror-by-digest-only: with our registries.conf a pull by tag never reaches the mirror (the upstream lacks it).
    [Fact]
    public void Inspect_ADigestOnlyScopeByTag_SkipsTheMirror()
    {
        Assert.Contains("mirror-by-digest-only = true", _registriesConf, StringComparison.Ordinal);
        var (exitCode, output) = _steps["digest-only-tag-ours"];
        Assert.True(exitCode != 0 && output.Contains("manifest unknown", StringComparison.Ordinal), "the tag was read from the mirror: " + output);
        AssertSucceeded("digest-only-digest-inspect-ours");
    }

    [Fact]
    public void Inspect_ADeniedScope_IsBlockedByRegistriesConf()
    {
        var (exitCode, output) = _steps["blocked"];
        Assert.NotEqual(0, exitCode);
        Assert.Contains("blocked", output, StringComparison.Ordinal);
    }

    public async Task InitializeAsync()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Upstream, _services.User, _services.Password);
        await domain.AddAsync(Mirror, _services.User, _services.Password);
        var upstream = RegistryAddress.Parse(Upstream);
        foreach (var rule in (PolicyRule[])[
            PolicyRule.Allow(RegistryScope.ParseScope(Upstream + "/test/hello")),
            PolicyRule.Allow(RegistryScope.ParseScope(Upstream + "/test/pinned"), digestOnly: true),
            PolicyRule.Deny(RegistryScope.ParseScope(Upstream + "/team")),
            PolicyRule.Allow(RegistryScope.ParseScope(Upstream + "/team/app")),
            PolicyRule.Deny(RegistryScope.ParseScope(Upstream + "/test/denied"))])
        {
            await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, rule);
        }

        await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(upstream, RegistryAddress.Parse(Mirror)));

        var export = await new ContainersPolicyExporter(domain.Service).ExportAsync(domain.EnvironmentId);
        var registriesConf = _directory.Combine("containers", "registries.conf");
        var policyJson = _directory.Combine("containers", "policy.json");
        await export.WriteAsync(ContainersPolicyFormat.RegistriesConf, registriesConf);
        await export.WriteAsync(ContainersPolicyFormat.PolicyJson, policyJson);
        _registriesConf = export.ToRegistriesConf();
        _policyJson = export.ToPolicyJson();
        var authfile = _directory.Combine("containers", "auth.json");
        await (await domain.Exporter().ExportAsync(domain.EnvironmentId)).WriteContainersAuthAsync(authfile);

        var certs = _directory.Combine("certs");
        Directory.CreateDirectory(certs);
        File.Copy(_services.RegistryCa, Path.Combine(certs, "ca.crt"));
        var state = System.Environment.GetEnvironmentVariable("REGISTRIES_TEST_STATE")
            ?? throw new InvalidOperationException("REGISTRIES_TEST_STATE is not set: source the services' env.sh (eng/services.sh) first.");
        WriteRegistryConfig("upstream", Upstream, Path.Combine(state, "registry", "data"), Path.Combine(state, "registry", "htpasswd"), readOnly: true);
        var mirrorData = _directory.Combine("mirror-data");
        Directory.CreateDirectory(mirrorData);
        WriteRegistryConfig("mirror", Mirror, mirrorData, Path.Combine(state, "registry", "htpasswd"), readOnly: false);
        var results = _directory.Combine("results");
        Directory.CreateDirectory(results);
        var home = _directory.Combine("home");
        Directory.CreateDirectory(home);

        var script = Script(registriesConf, policyJson, authfile, certs, results);
        var scriptPath = _directory.Combine("run.sh");
        await File.WriteAllTextAsync(scriptPath, script);
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["XDG_RUNTIME_DIR"] = home,
            ["XDG_CONFIG_HOME"] = home,
            ["REGISTRY_AUTH_FILE"] = null,
            ["DOCKER_CONFIG"] = null,
            ["SKOPEO"] = _services.Skopeo,
        };

        // One network and PID namespace: the registries and every skopeo run share it, and --kill-child ends all of it
        // even when this run is stopped.
        var run = await Processes.RunAsync("unshare", ["--net", "--pid", "--fork", "--kill-child", "bash", scriptPath], environment, timeout: TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, $"the namespace script failed ({run.ExitCode}): {run.Error}{run.Output}");
        foreach (var file in Directory.EnumerateFiles(results, "*.rc"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            _steps[name] = (int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(results, name + ".out")));
        }

        Assert.True(_steps.TryGetValue("seed", out var seed) && seed.ExitCode == 0, "seeding the mirror failed: " + (_steps.TryGetValue("seed", out var s) ? s.Output : run.Error));
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private void AssertSucceeded(string step, bool expectFailure = false)
    {
        var (exitCode, output) = _steps[step];
        Assert.True(expectFailure ? exitCode != 0 : exitCode == 0, $"{step}: exit {exitCode}: {output}");
    }

    private void AssertRejectedByPolicy(string step)
    {
        var (exitCode, output) = _steps[step];
        Assert.True(exitCode != 0, $"{step} was not refused: {output}");
        Assert.True(output.Contains("rejected by policy", StringComparison.Ordinal), $"{step}: {output}");
    }

    private void WriteRegistryConfig(string name, string address, string data, string htpasswd, bool readOnly)
    {
        var maintenance = readOnly ? "  maintenance:\n    readonly:\n      enabled: true\n    uploadpurging:\n      enabled: false\n" : string.Empty;
        File.WriteAllText(_directory.Combine(name + ".yml"), $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {data}
            {maintenance}http:
              addr: {address}
              secret: registries-core-containers-policy-test
              tls:
                certificate: {_services.RegistryCert}
                key: {_services.RegistryKey}
            auth:
              htpasswd:
                realm: registries-core-test
                path: {htpasswd}

            """);
    }

    // Starts both registries, waits for each (bounded), seeds the mirror with a copy that ignores every policy, then
    // runs skopeo with our files for each case, recording its exit code and output; the trap stops the registries.
    private string Script(string registriesConf, string policyJson, string authfile, string certs, string results)
    {
        var ours = $"--registries-conf '{registriesConf}' --policy '{policyJson}'";
        var plainMirror = _directory.Combine("plain-mirror.conf");
        File.WriteAllText(plainMirror, $"[[registry]]\nprefix = \"{Upstream}\"\nlocation = \"{Upstream}\"\n\n[[registry.mirror]]\nlocation = \"{Mirror}\"\n");
        var policyOnly = $"--registries-conf '{plainMirror}' --policy '{policyJson}'";
        var auth = $"--authfile '{authfile}'";
        var up = Upstream;
        var text = new StringBuilder();
        text.Append($$"""
            set -u
            ip link set lo up
            docker-registry serve '{{_directory.Combine("upstream.yml")}}' >'{{_directory.Combine("upstream.log")}}' 2>&1 &
            upstream=$!
            docker-registry serve '{{_directory.Combine("mirror.yml")}}' >'{{_directory.Combine("mirror.log")}}' 2>&1 &
            mirror=$!
            trap 'kill $upstream $mirror 2>/dev/null; wait' EXIT
            ready() {
              for _ in $(seq 1 400); do
                curl -s --cacert '{{_services.RegistryCa}}' -o /dev/null "https://$1/v2/" && return 0
                sleep 0.05
              done
              echo "registry $1 did not answer within 20 seconds" >&2
              return 1
            }
            ready '{{up}}' || exit 1
            ready '{{Mirror}}' || exit 1
            step() {
              name=$1; shift
              "$SKOPEO" "$@" >'{{results}}'/"$name".out 2>&1
              echo $? >'{{results}}'/"$name".rc
            }
            seed() {
              "$SKOPEO" copy --insecure-policy {{auth}} --src-cert-dir '{{certs}}' --dest-cert-dir '{{certs}}' "docker://{{up}}/{{_services.Image}}" "docker://{{Mirror}}/$1" || return 1
            }
            { seed test/hello:only-on-mirror && seed test/pinned:1.0 && seed team/app:1.0; } >'{{results}}'/seed.out 2>&1
            echo $? >'{{results}}'/seed.rc
            step direct-upstream-lacks-it inspect {{auth}} --cert-dir '{{certs}}' docker://{{up}}/test/hello:only-on-mirror
            step mirrored-inspect inspect {{ours}} {{auth}} --cert-dir '{{certs}}' docker://{{up}}/test/hello:only-on-mirror
            step mirrored-copy copy {{ours}} {{auth}} --src-cert-dir '{{certs}}' docker://{{up}}/test/hello:only-on-mirror dir:'{{_directory.Combine("copied")}}'
            step outside-allow-list-exists inspect {{ours}} {{auth}} --cert-dir '{{certs}}' docker://{{up}}/{{_services.OtherImage}}
            step outside-allow-list copy {{ours}} {{auth}} --src-cert-dir '{{certs}}' docker://{{up}}/{{_services.OtherImage}} dir:'{{_directory.Combine("outside")}}'
            step allow-under-deny copy {{policyOnly}} {{auth}} --src-cert-dir '{{certs}}' docker://{{up}}/team/app:1.0 dir:'{{_directory.Combine("team")}}'
            step allow-under-deny-ours copy {{ours}} {{auth}} --src-cert-dir '{{certs}}' docker://{{up}}/team/app:1.0 dir:'{{_directory.Combine("team-ours")}}'
            step digest-only-by-tag copy {{policyOnly}} {{auth}} --src-cert-dir '{{certs}}' docker://{{up}}/test/pinned:1.0 dir:'{{_directory.Combine("pinned-tag")}}'
            step digest-only-tag-ours inspect {{ours}} {{auth}} --cert-dir '{{certs}}' docker://{{up}}/test/pinned:1.0
            digest=$("$SKOPEO" inspect --format '{{DigestTemplate}}' {{auth}} --cert-dir '{{certs}}' docker://{{Mirror}}/test/pinned:1.0)
            step digest-only-digest-inspect-ours inspect --no-tags {{ours}} {{auth}} --cert-dir '{{certs}}' "docker://{{up}}/test/pinned@$digest"
            step digest-only-by-digest copy {{ours}} {{auth}} --src-cert-dir '{{certs}}' "docker://{{up}}/test/pinned@$digest" dir:'{{_directory.Combine("pinned-digest")}}'
            step blocked inspect {{ours}} {{auth}} --cert-dir '{{certs}}' docker://{{up}}/test/denied:1.0
            exit 0

            """);
        return text.ToString();
    }
}
