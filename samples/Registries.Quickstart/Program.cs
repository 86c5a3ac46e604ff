using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.DependencyInjection;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Testing;
using Registries.Quickstart;

// The Registries story of Rancher 1.x, in one minute: credentials per environment, one credential per address,
// newest wins, deactivation prohibits pulls, an image already on the host keeps working, and credentials that come
// from a source and renew themselves.
// The host is Registries.Core.Testing's fake engine: it holds images and records pulls, so no Docker is needed.
var host = new FakeImageEngine();
var services = new ServiceCollection();

// A credential source stands in for a Docker credential helper (docker-credential-ecr-login) the operator allowed: it
// hands out tokens that last 12 hours, as Amazon ECR's do. Real ones come with the interop package.
var ecrLogin = new FakeCredentialSource(CredentialSourceKind.CredentialHelper).Returns("AWS", "ecr-token-1", TimeSpan.FromHours(12));

// The caller is plugged in once, as an application does: every RegistryService call acts as the user signed in to
// the current flow (a web application would read the request's user instead).
services.AddRegistries().UseCaller<CurrentUser>().UseFakeImageEngine(host).UseFakeCredentialSource(ecrLogin);
await using var provider = services.BuildServiceProvider();
var registries = provider.GetRequiredService<RegistryService>();
var pulls = provider.GetRequiredService<ImagePullService>();

const string alice = "alice", bob = "bob", carol = "carol";

Title("1. A Cattle environment with members");
CurrentUser.SignIn(alice);
var production = await registries.CreateEnvironmentAsync("production", OrchestrationKind.Cattle);
await registries.SetMemberAsync(production.Id, bob, EnvironmentRole.Member);
await registries.SetMemberAsync(production.Id, carol, EnvironmentRole.ReadOnly);
Say($"alice signed in and created '{production.Name}' ({production.Id}); bob is a Member, carol is ReadOnly.");

Title("2. Credentials for Docker Hub, Quay.io and a custom registry");
await registries.AddRegistryAsync(production.Id, RegistryAddress.DockerHub, new RegistryCredential("alice@example.com", "alice-hub", "hub-password"));
await registries.AddRegistryAsync(production.Id, RegistryAddress.Quay, new RegistryCredential("alice@example.com", "alice-quay", "quay-password"));
var custom = await registries.As(bob).AddRegistryAsync(production.Id, RegistryAddress.Parse("registry.example.com:5000"), new RegistryCredential("bob@example.com", "bob", "bob-password"));
await ListAsync();

Title("3. Which credential does each image get?");
foreach (var image in new[] { "ubuntu:22.04", "myorg/private-api:2.1", "quay.io/coreos/etcd:v3.5", "registry.example.com:5000/team/api:1.4", "gcr.io/distroless/static" })
{
    await ResolveAsync(image);
}

Title("4. A second credential for the same address: the newest wins");
var newer = await registries.AddRegistryAsync(production.Id, RegistryAddress.Parse("registry.example.com:5000"), new RegistryCredential("ci@example.com", "ci-robot", "robot-password"));
await ListAsync();
await ResolveAsync("registry.example.com:5000/team/api:1.4");

Title("5. Deactivating the effective credential prohibits pulls (no fallback to the older one)");
await registries.As(bob).DeactivateRegistryAsync(production.Id, newer.Id);
await ResolveAsync("registry.example.com:5000/team/api:1.4");

Title("6. An image already on the host keeps working; a missing one is refused");
var present = ImageReference.Parse("registry.example.com:5000/team/api:1.4");
host.AddImage(present);
var used = await pulls.EnsureImageAsync(production.Id, present);
Say($"{used.Image.FamiliarName}:{used.Image.Tag}: {(used.Pulled ? "pulled" : "already present, used as it is (running containers and scale-up keep working)")}");
try
{
    await pulls.EnsureImageAsync(production.Id, ImageReference.Parse("registry.example.com:5000/team/worker:1.4"));
}
catch (ImagePullException error) when (error.Error == ImagePullError.Denied)
{
    Say($"team/worker:1.4 is not on the host: {error.Message}");
}

Title("7. Activate again (no password needed), then pull what is missing");
await registries.ActivateRegistryAsync(production.Id, newer.Id);
var pulled = await pulls.EnsureImageAsync(production.Id, ImageReference.Parse("registry.example.com:5000/team/worker:1.4"));
Say($"team/worker:1.4: {(pulled.Pulled ? "pulled " + How(host.Pulls[^1]) : "already present")}");

Title("8. Delete: deactivate first, then the secret is erased for good");
try
{
    await registries.DeleteRegistryAsync(production.Id, custom.Id);
}
catch (InvalidRegistryStateException error)
{
    Say($"refused: {error.Message}");
}

await registries.DeactivateRegistryAsync(production.Id, newer.Id);
await registries.DeleteRegistryAsync(production.Id, newer.Id);
Say("deleted the ci-robot credential; bob's older one is effective again:");
await ResolveAsync("registry.example.com:5000/team/api:1.4");

Title("9. A robot account for one team: the most specific scope decides");
await registries.AddRegistryAsync(production.Id, RegistryScope.Parse("registry.example.com:5000", "team"), new RegistryCredential("team@example.com", "team-robot", "team-password"));
await ListAsync();
await ResolveAsync("registry.example.com:5000/team/api:1.4");
await ResolveAsync("registry.example.com:5000/team-b/api:1.4");
var why = await registries.As(carol).ExplainAsync(production.Id, ImageReference.Parse("registry.example.com:5000/team/api:1.4"));
Say($"why (carol, ReadOnly, may ask: an explanation holds no secret): decided by {why.DecidingScope}");
foreach (var candidate in why.Candidates)
{
    Say($"  {candidate.Registry.Id,-5} {candidate.Registry.Scope,-31} {candidate.Verdict,-14} {candidate.Reason}");
}

Title("10. Credentials that renew themselves: a source instead of a stored secret");
var ecr = RegistryAddress.Parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
var fromHelper = await registries.AddRegistryAsync(production.Id, ecr, RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login"));
await ResolveAsync($"{ecr}/api:7");
await ResolveAsync($"{ecr}/worker:7");
Say($"the helper ran {ecrLogin.CallCount} time(s): its token is cached until shortly before it expires, then renewed by one call.");
var cached = await registries.As(carol).ExplainAsync(production.Id, ImageReference.Parse($"{ecr}/api:7"));
Say($"explained: from {cached.Source}, cached until {cached.CachedUntil:u}");
ecrLogin.Fails("ecr-login: no AWS credentials found on this host; attach an instance role");
await ResolveAsync($"{ecr}/api:7");
Say("the helper fails now, but the cached token is still valid, so it is still used; after 'refresh' it is gone:");
await registries.RefreshRegistryAsync(production.Id, fromHelper.Id);
await ResolveAsync($"{ecr}/api:7");
try
{
    await pulls.EnsureImageAsync(production.Id, ImageReference.Parse($"{ecr}/api:7"));
}
catch (ImagePullException error) when (error.Error == ImagePullError.CredentialUnavailable)
{
    Say($"pull refused, never tried anonymously: {error.Error}");
}

await registries.AddRegistryAsync(production.Id, RegistryAddress.Parse("harbor.example.com"), new RegistryCredential("ops@example.com", "robot$ci", new RegistrySecret("robot-token"), new DateTimeOffset(2024, 1, 31, 0, 0, 0, TimeSpan.Zero)));
Say("a Harbor robot account whose token expired on 2024-01-31 is refused before any pull:");
await ResolveAsync("harbor.example.com/library/app:1");

Title("11. A policy and a mirror per environment");
// alice (Owner) lets only the team's images and Docker Hub's official ones launch, and keeps a legacy path out.
await registries.SetPolicyRuleAsync(production.Id, PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com:5000/team")));
await registries.SetPolicyRuleAsync(production.Id, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com:5000/team/legacy")));
await registries.SetPolicyRuleAsync(production.Id, PolicyRule.Allow(RegistryScope.ParseScope("docker.io/library")));
Say($"policy (carol, ReadOnly, may read it): {await registries.As(carol).GetPolicyAsync(production.Id)}");
await ResolveAsync("registry.example.com:5000/team/api:1.4");
await ResolveAsync("registry.example.com:5000/team/legacy/app:1");
await ResolveAsync("registry.example.com:5000/team-b/api:1.4");
try
{
    await pulls.EnsureImageAsync(production.Id, ImageReference.Parse("registry.example.com:5000/team/legacy/app:1"));
}
catch (ImagePullException error) when (error.Error == ImagePullError.Denied)
{
    Say($"pull refused before the engine is asked ({host.Pulls.Count} pulls so far): {error.Error}");
}

await ExpectRefusalAsync("bob (Member) lifts the deny rule", () => registries.As(bob).RemovePolicyRuleAsync(production.Id, RegistryScope.ParseScope("registry.example.com:5000/team/legacy")).AsTask());

// Docker Hub through a pull-through cache that has a credential of its own; the policy is decided on the name asked for.
var cache = RegistryAddress.Parse("hub-cache.example.com:5000");
await registries.AddRegistryAsync(production.Id, cache, new RegistryCredential("ops@example.com", "cache-reader", "cache-password"));
await registries.AddMirrorAsync(production.Id, RegistryMirror.Create(RegistryAddress.DockerHub, cache));
var throughCache = await pulls.EnsureImageAsync(production.Id, ImageReference.Parse("nginx:1.27"));
Say($"nginx:1.27: pulled from {throughCache.PulledFrom?.Image} as '{throughCache.PulledWith?.Username}'; on the host as {(host.Contains("docker.io/library/nginx:1.27") ? "docker.io/library/nginx:1.27, the name asked for" : "another name (unexpected)")}");
host.FailNextPullFrom(cache, ImagePullError.NotFound, "the cache is down");
var fellBack = await pulls.EnsureImageAsync(production.Id, ImageReference.Parse("redis:7"));
Say($"redis:7 while the cache is down: pulled from {(fellBack.PulledFrom is { IsUpstream: true } ? "Docker Hub itself" : fellBack.PulledFrom?.Image.ToString())} as '{fellBack.PulledWith?.Username}'");

Title("12. The rules guard the credentials");
await ExpectRefusalAsync("carol (ReadOnly) adds a registry", () => registries.As(carol).AddRegistryAsync(production.Id, RegistryAddress.Quay, new RegistryCredential("c@example.com", "carol", "x")).AsTask());
await ExpectRefusalAsync("mallory (not a member) lists registries", () => registries.As("mallory").ListRegistriesAsync(production.Id).AsTask());
var kubernetes = await registries.CreateEnvironmentAsync("k8s-lab", OrchestrationKind.Kubernetes);
await ExpectRefusalAsync("alice adds a registry in a Kubernetes environment", () => registries.AddRegistryAsync(kubernetes.Id, RegistryAddress.Quay, new RegistryCredential("a@example.com", "alice", "x")).AsTask());
await ExpectRefusalAsync("alice types 'https://registry.example.com:5000/v2/' as an address", () => Task.FromResult(RegistryAddress.Parse("https://registry.example.com:5000/v2/")));
CurrentUser.SignOut();
await ExpectRefusalAsync("nobody is signed in and lists environments", () => registries.ListEnvironmentsAsync().AsTask());

Title("13. And a real Docker Engine?");
await ProbeDockerAsync();

Console.WriteLine();
Console.WriteLine("Done. Next: the sample CLI (samples/Registries.Cli) keeps this state in a file and pulls through a real Docker Engine.");

// The steps above ran on a simulated host so that the quickstart works anywhere. Here it only asks whether a
// real engine answers (DOCKER_HOST or the platform's socket): pulling needs a registry you can reach.
static async Task ProbeDockerAsync()
{
    Uri endpoint;
    try
    {
        endpoint = DockerEngineOptions.GetDefaultEndpoint();
    }
    catch (ArgumentException error)
    {
        Say($"DOCKER_HOST is not usable ({error.Message}); the pulls above used a simulated host.");
        return;
    }

    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
    try
    {
        using var docker = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = endpoint, RequestTimeout = TimeSpan.FromSeconds(5) }));
        var present = await docker.ImageExistsAsync(ImageReference.Parse("alpine:3.20"), timeout.Token);
        Say($"A Docker Engine answers at {endpoint} (alpine:3.20 is {(present ? string.Empty : "not ")}present).");
        Say("Wire it with services.AddRegistries().UseDocker(), or run 'registries pull ENV IMAGE' from samples/Registries.Cli.");
    }
    catch (Exception error) when (error is ImagePullException or OperationCanceledException or ArgumentException or OptionsValidationException)
    {
        Say($"No Docker Engine answers at {endpoint}: the pulls above used a simulated host, and nothing else is needed.");
    }
}

async Task ListAsync()
{
    // carol (ReadOnly) may list the registries, never use them.
    foreach (var entry in await registries.As(carol).ListRegistriesAsync(production.Id))
    {
        var r = entry.Registry;
        var mark = entry.IsEffective ? "effective" : entry.IsOverridden ? "overridden" : "-";
        Say($"{r.Id,-5} {r.Scope,-31} {r.Kind,-9} {r.State,-8} {r.Username,-10} {mark}");
    }
}

async Task ResolveAsync(string image)
{
    var resolution = await registries.As(bob).ResolveAsync(production.Id, ImageReference.Parse(image));
    var answer = resolution.Outcome switch
    {
        ResolutionOutcome.Authenticated => $"authenticated as '{resolution.Username}' ({resolution.RegistryId}"
            + (resolution.Source is { IsFetched: true } source ? $", from {source}, until {resolution.ExpiresAt:u})" : ")"),
        ResolutionOutcome.Anonymous => "anonymous (no registry configured for " + resolution.Address + ")",
        ResolutionOutcome.Unavailable => "UNAVAILABLE: " + resolution.Reason,
        _ => "DENIED: " + resolution.Reason,
    };
    Say($"{image,-40} -> {answer}");
}

static async Task ExpectRefusalAsync(string what, Func<Task> action)
{
    try
    {
        await action();
        Say($"{what}: allowed (unexpected)");
    }
    catch (Exception error) when (error is RegistriesException or FormatException)
    {
        Say($"{what}: {error.GetType().Name}: {error.Message}");
    }
}

static void Title(string text)
{
    Console.WriteLine();
    Console.WriteLine(text);
}

static void Say(string text) => Console.WriteLine("   " + text);

static string How(RecordedPull pull) => pull.Outcome == ResolutionOutcome.Authenticated ? $"as '{pull.Username}'" : "anonymously";
