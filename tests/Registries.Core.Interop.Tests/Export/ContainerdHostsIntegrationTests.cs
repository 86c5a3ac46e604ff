using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The real containerd (Debian's, its own root, state and socket, CRI plugin off) pulls with <c>ctr images pull
/// --hosts-dir</c> through the certs.d tree the export writes, inside a network namespace of the test's own: an upstream
/// registry (the shared test registry's data, served read-only) and a mirror registry with its own htpasswd user and
/// data, both real distribution registries over TLS with the shared test CA (given to containerd by the export's
/// <c>ca</c> fields).</summary>
[Trait("Category", "Integration")]
public sealed class ContainerdHostsIntegrationTests
{
    private const string Upstream = ContainerdSandbox.Upstream;
    private const string Mirror = ContainerdSandbox.Mirror;

    // Nothing listens there: an image of it can only come through its mirror.
    private const string RewrittenUpstream = "127.0.0.1:5002";
    private const string MirrorUser = ContainerdSandbox.MirrorUser;
    private const string MirrorPassword = ContainerdSandbox.MirrorPassword;
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task CtrPull_ExportedTree_ThroughTheMirrorRewriteHonouredUpstreamWhenTheMirrorStops()
    {
        await using var sandbox = await ContainerdSandbox.StartAsync(_services);
        var (upstream, mirror, certificates) = await sandbox.StartUpstreamAndMirrorAsync(_services.Image, "test/mirror-only:1.0", "cache/test/rewritten:1.0");
        await sandbox.StartContainerdAsync();
        var domain = await Domain.CreateAsync();
        await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse(Upstream), RegistryAddress.Parse(Mirror)));
        await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse(RewrittenUpstream), RegistryAddress.Parse(Mirror), MirrorRewrite.Parse("^(.*)$", "cache/${1}")));
        var hosts = await ExportAsync(sandbox, domain, certificates);
        var seeded = upstream.Log.Length;

        // An image only the mirror has is pulled under the upstream's name (the mirror's user: the upstream refuses it).
        var mirrorOnly = await sandbox.PullAsync(hosts, MirrorUser + ":" + MirrorPassword, $"{Upstream}/test/mirror-only:1.0");
        Assert.True(mirrorOnly.ExitCode == 0, "ctr pull through the mirror failed: " + mirrorOnly.Error + mirrorOnly.Output + "\nmirror: " + mirror.Log);
        Assert.Contains("/v2/test/mirror-only/manifests/1.0", mirror.Log, StringComparison.Ordinal);

        // An image both have comes from the mirror: the upstream never sees it asked for.
        var both = await sandbox.PullAsync(hosts, MirrorUser + ":" + MirrorPassword, $"{Upstream}/{_services.Image}");
        Assert.True(both.ExitCode == 0, "ctr pull through the mirror failed: " + both.Error + both.Output);
        Assert.Contains($"/v2/{Repository(_services.Image)}/manifests/", mirror.Log, StringComparison.Ordinal);
        Assert.DoesNotContain($"/v2/{Repository(_services.Image)}/", upstream.Log[seeded..], StringComparison.Ordinal);

        // The prefix rewrite: the image of the upstream nobody serves is read from cache/... on the mirror.
        var rewritten = await sandbox.PullAsync(hosts, MirrorUser + ":" + MirrorPassword, $"{RewrittenUpstream}/test/rewritten:1.0");
        Assert.True(rewritten.ExitCode == 0, "ctr pull through the rewriting mirror failed: " + rewritten.Error + rewritten.Output + "\nmirror: " + mirror.Log);
        Assert.Contains("/v2/cache/test/rewritten/manifests/1.0", mirror.Log, StringComparison.Ordinal);

        // The mirror stops: containerd falls back to the upstream (the upstream's user now).
        await sandbox.StopAsync(mirror);
        var fallback = await sandbox.PullAsync(hosts, _services.User + ":" + _services.Password, $"{Upstream}/{_services.OtherImage}");
        Assert.True(fallback.ExitCode == 0, "ctr pull did not fall back to the upstream: " + fallback.Error + fallback.Output + "\nupstream: " + upstream.Log);
        Assert.Contains($"/v2/{Repository(_services.OtherImage)}/manifests/", upstream.Log, StringComparison.Ordinal);

        var images = await sandbox.RunAsync("ctr", ["--address", sandbox.Socket, "images", "ls", "-q"]);
        Assert.Equal(
            new[] { $"{Upstream}/{_services.Image}", $"{Upstream}/{_services.OtherImage}", $"{Upstream}/test/mirror-only:1.0", $"{RewrittenUpstream}/test/rewritten:1.0" }.Order(StringComparer.Ordinal),
            images.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CtrPull_MirrorOnlyExport_NeverFallsBackToTheUpstream()
    {
        await using var sandbox = await ContainerdSandbox.StartAsync(_services);
        var (upstream, mirror, certificates) = await sandbox.StartUpstreamAndMirrorAsync(_services.Image);
        await sandbox.StartContainerdAsync();
        var domain = await Domain.CreateAsync();
        await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse(Upstream), RegistryAddress.Parse(Mirror), mirrorOnly: true));
        var hosts = await ExportAsync(sandbox, domain, certificates);
        var seeded = upstream.Log.Length;

        var throughMirror = await sandbox.PullAsync(hosts, MirrorUser + ":" + MirrorPassword, $"{Upstream}/{_services.Image}");
        Assert.True(throughMirror.ExitCode == 0, "ctr pull through the mirror-only mirror failed: " + throughMirror.Error + throughMirror.Output);

        await sandbox.StopAsync(mirror);
        var refused = await sandbox.PullAsync(hosts, _services.User + ":" + _services.Password, $"{Upstream}/{_services.OtherImage}");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("/v2/", upstream.Log[seeded..], StringComparison.Ordinal);
    }

    private static string Repository(string image) => image[..image.LastIndexOf(':')];

    private static async Task<string> ExportAsync(ContainerdSandbox sandbox, Domain domain, string certificates)
    {
        var export = await new ContainerdHostsExporter(domain.Service).ExportAsync(domain.EnvironmentId);
        export.EnsureExpressible();
        var hosts = sandbox.Directory.Combine("certs.d");
        var written = await export.WriteAsync(hosts, certificates);
        Assert.All(written, path => Assert.Contains("ca = ", File.ReadAllText(path), StringComparison.Ordinal));
        return hosts;
    }
}
