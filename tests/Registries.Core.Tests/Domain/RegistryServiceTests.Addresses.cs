using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

// Per address: the answer every image of an address gets, and the entry that decides it.
public sealed partial class RegistryServiceTests
{
    [Fact]
    public async Task ResolveAsync_Address_AuthenticatedAnonymousOrDeniedWithoutAnImage()
    {
        var f = await CreateAsync();
        var active = await f.AddAsync("registry.example.com:5000", "deploy", Canary);
        var inactive = await f.AddAsync("quay.io", "quay-user");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, inactive.Id);
        var service = f.Service.As(Member);

        var authenticated = await service.ResolveAsync(f.EnvironmentId, RegistryAddress.Parse("REGISTRY.example.com:5000"));
        var denied = await service.ResolveAsync(f.EnvironmentId, RegistryAddress.Quay);
        var anonymous = await service.ResolveAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com:5001"));

        Assert.Equal(ResolutionOutcome.Authenticated, authenticated.Outcome);
        Assert.Null(authenticated.Image);
        Assert.Equal(RegistryAddress.Parse("registry.example.com:5000"), authenticated.Address);
        Assert.Equal(active.Id, authenticated.RegistryId);
        Assert.Equal("deploy", authenticated.Username);
        Assert.Equal(Canary, authenticated.Password!.Reveal());
        Assert.DoesNotContain(Canary, authenticated.ToString(), StringComparison.Ordinal);

        Assert.Equal(ResolutionOutcome.Denied, denied.Outcome);
        Assert.Null(denied.Image);
        Assert.Same(RegistryAddress.Quay, denied.Address);
        Assert.Equal(inactive.Id, denied.RegistryId);
        Assert.Null(denied.Password);
        Assert.False(denied.IsAllowed);
        Assert.Contains("inactive", denied.Reason, StringComparison.Ordinal);

        Assert.Equal(ResolutionOutcome.Anonymous, anonymous.Outcome);
        Assert.Null(anonymous.Image);
        Assert.Equal("registry.example.com:5001", anonymous.Address.ToString());
        Assert.Null(anonymous.MatchedRegistry);
        Assert.True(anonymous.IsAllowed);
    }

    [Theory]
    [InlineData("registry.example.com:5000", "registry.example.com:5000/app", "registry.example.com:5000/team/sub/app:1.0", "registry.example.com:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("docker.io", "ubuntu", "myorg/private:2", "index.docker.io/library/alpine:3.20")]
    [InlineData("quay.io", "quay.io/coreos/etcd:v3.5", "quay.io/org/app", "quay.io/a/b/c:latest")]
    [InlineData("gcr.io", "gcr.io/distroless/static", "gcr.io/project/app:1", "gcr.io/x")]
    public async Task ResolveAsync_Address_AgreesWithResolvingAnyImageOfThatAddress(string address, string image1, string image2, string image3)
    {
        var f = await CreateAsync();
        await f.AddAsync("registry.example.com:5000", "older", "older-password");
        await f.AddAsync("registry.example.com:5000", "newer", "newer-password");
        await f.AddAsync("docker.io", "hub", "hub-password");
        var quay = await f.AddAsync("quay.io", "quay", "quay-password");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, quay.Id);
        var service = f.Service.As(Owner);

        var byAddress = await service.ResolveAsync(f.EnvironmentId, RegistryAddress.Parse(address));
        foreach (var image in new[] { image1, image2, image3 })
        {
            var byImage = await service.ResolveAsync(f.EnvironmentId, ImageReference.Parse(image));
            var bySystem = await f.Resolver.ResolveAsync(f.EnvironmentId, RegistryAddress.Parse(address));

            Assert.Equal(byAddress.Address, byImage.Address);
            foreach (var other in new[] { byImage, bySystem })
            {
                Assert.Equal(
                    (byAddress.Outcome, byAddress.RegistryId, byAddress.Username, byAddress.Email, byAddress.Password?.Reveal(), byAddress.Reason),
                    (other.Outcome, other.RegistryId, other.Username, other.Email, other.Password?.Reveal(), other.Reason));
            }
        }
    }

    [Theory]
    [InlineData("myregistry")]
    [InlineData("registry-mirror")]
    public async Task ResolveAsync_AddressNoImageReferenceCanName_IsResolved(string text)
    {
        var address = RegistryAddress.Parse(text);

        // Docker reads "myregistry/x" as a Docker Hub repository: no image reference names this registry.
        Assert.False(ImageReference.TryParse(text + "/x", out var image) && image.Address.Equals(address));
        var f = await CreateAsync();
        var registry = await f.Service.As(Member).AddRegistryAsync(f.EnvironmentId, address, Credential("mirror", Canary));

        var resolution = await f.Service.As(Member).ResolveAsync(f.EnvironmentId, address);
        var effective = await f.Service.As(Reader).GetEffectiveRegistryAsync(f.EnvironmentId, address);

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(registry.Id, resolution.RegistryId);
        Assert.Equal(Canary, resolution.Password!.Reveal());
        Assert.Equal(registry.Id, effective!.Registry.Id);
        Assert.Equal(ResolutionOutcome.Anonymous, (await f.Service.As(Member).ResolveAsync(f.EnvironmentId, RegistryAddress.DockerHub)).Outcome);
    }

    [Fact]
    public async Task ResolveAsync_Address_ReadOnlyIsDeniedAndOutsiderIsNotFound()
    {
        var f = await CreateAsync();
        await f.AddAsync("registry.example.com", "u", Canary);
        var address = RegistryAddress.Parse("registry.example.com");

        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() => f.Service.As(Reader).ResolveAsync(f.EnvironmentId, address).AsTask());
        var hidden = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).ResolveAsync(f.EnvironmentId, address).AsTask());
        var unknown = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).ResolveAsync("1a999", address).AsTask());

        Assert.Contains("use the environment's credentials", denied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, denied.Message, StringComparison.Ordinal);
        Assert.Equal(unknown.Message.Replace("1a999", f.EnvironmentId, StringComparison.Ordinal), hidden.Message);
        await Assert.ThrowsAsync<ArgumentNullException>(() => f.Service.As(Member).ResolveAsync(f.EnvironmentId, (RegistryAddress)null!).AsTask());
    }

    [Fact]
    public async Task ResolveAsync_AddressInUnsupportedOrchestration_ThrowsUnsupportedOrchestration()
    {
        var f = await CreateAsync(OrchestrationKind.Mesos);

        var service = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.Service.As(Member).ResolveAsync(f.EnvironmentId, RegistryAddress.Quay).AsTask());
        var system = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.Resolver.ResolveAsync(f.EnvironmentId, RegistryAddress.Quay).AsTask());

        Assert.Equal(OrchestrationKind.Mesos, service.Orchestration);
        Assert.Equal(OrchestrationKind.Mesos, system.Orchestration);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("address")]
    public async Task ResolveAsync_ThroughTheService_ReadsTheEnvironmentOnce(string by)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var service = new RegistryService(seeded.Store).As(Member);

        var resolution = by == "image"
            ? await service.ResolveAsync(seeded.EnvironmentId, ImageReference.Parse("registry.example.com/team/app:1"))
            : await service.ResolveAsync(seeded.EnvironmentId, RegistryAddress.Parse("registry.example.com"));

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(1, seeded.Store.Count(nameof(CountingStore.GetEnvironmentAsync)));
        Assert.Equal(1, seeded.Store.Count(nameof(CountingStore.ListRegistriesCoveringAsync)));
        Assert.Equal(2, seeded.Store.Total);
    }

    [Fact]
    public async Task GetEffectiveRegistryAsync_SeveralEntries_ReturnsTheNewestForEveryMember()
    {
        var f = await CreateAsync();
        var older = await f.AddAsync("registry.example.com", "older", Canary);
        var newer = await f.AddAsync("Registry.Example.com", "newer", Canary);
        await f.AddAsync("quay.io", "quay");

        foreach (var user in new[] { Owner, Member, Reader })
        {
            var effective = await f.Service.As(user).GetEffectiveRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"));

            Assert.NotNull(effective);
            Assert.Equal(newer.Id, effective.Registry.Id);
            Assert.True(effective.IsEffective);
            Assert.False(effective.IsOverridden);
            Assert.Equal("newer", effective.Registry.Username);
            Assert.DoesNotContain(Canary, effective.ToString(), StringComparison.Ordinal);
        }

        Assert.NotEqual(older.Id, newer.Id);
    }

    [Fact]
    public async Task GetEffectiveRegistryAsync_EffectiveEntryInactive_ReturnsItInactive()
    {
        var f = await CreateAsync();
        await f.AddAsync("registry.example.com", "older");
        var newer = await f.AddAsync("registry.example.com", "newer");
        await f.Service.As(Member).DeactivateRegistryAsync(f.EnvironmentId, newer.Id);

        var effective = await f.Service.As(Reader).GetEffectiveRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"));

        Assert.Equal(newer.Id, effective!.Registry.Id);
        Assert.Equal(RegistryState.Inactive, effective.Registry.State);
        Assert.True(effective.IsEffective);
        Assert.Equal(ResolutionOutcome.Denied, (await f.ResolveAsync("registry.example.com/app")).Outcome);
    }

    [Fact]
    public async Task GetEffectiveRegistryAsync_NoEntryOrEveryEntryRemoved_ReturnsNull()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        await f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, registry.Id);

        Assert.Null(await f.Service.As(Reader).GetEffectiveRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com")));
        Assert.Null(await f.Service.As(Reader).GetEffectiveRegistryAsync(f.EnvironmentId, RegistryAddress.Quay));
    }

    [Fact]
    public async Task GetEffectiveRegistryAsync_OutsiderOrUnsupportedOrchestration_Throws()
    {
        var f = await CreateAsync();
        await f.AddAsync("quay.io");
        var kubernetes = await CreateAsync(OrchestrationKind.Kubernetes);

        var hidden = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).GetEffectiveRegistryAsync(f.EnvironmentId, RegistryAddress.Quay).AsTask());
        var unknown = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => f.Service.As(Outsider).GetEffectiveRegistryAsync("1a999", RegistryAddress.Quay).AsTask());
        await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => kubernetes.Service.As(Reader).GetEffectiveRegistryAsync(kubernetes.EnvironmentId, RegistryAddress.Quay).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => f.Service.As(Reader).GetEffectiveRegistryAsync(f.EnvironmentId, null!).AsTask());

        Assert.Equal(unknown.Message.Replace("1a999", f.EnvironmentId, StringComparison.Ordinal), hidden.Message);
    }
}
