using Registries.Core.Engine;
using Registries.Core.Storage;
using Registries.Core.Testing;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

/// <summary>A canary password goes through every operation; it must never show in text that the library produces.</summary>
public sealed class SecretLeakTests
{
    [Fact]
    public async Task EveryOperation_CanaryPasswordNeverAppearsInTextOrEvents()
    {
        var f = await CreateAsync();
        var texts = new List<string?>();

        void Collect(params object?[] values) => texts.AddRange(values.Select(v => v?.ToString()));

        async Task Capture(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception error)
            {
                Collect(error.Message, error);
            }
        }

        var credential = Credential("canary-user", Canary);
        Collect(credential, credential.Password);
        var added = await f.Service.As(Owner).AddRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"), credential);
        Collect(added);
        var second = await f.Service.As(Member).AddRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"), Credential("second", Canary + "2"));
        Collect(second);
        foreach (var entry in await f.Service.As(Reader).ListRegistriesAsync(f.EnvironmentId))
        {
            Collect(entry, entry.Registry);
        }

        var resolution = await f.ResolveAsync("registry.example.com/app:1");
        Collect(resolution, resolution.MatchedRegistry);
        Collect(await f.Store.GetRegistryAsync(f.EnvironmentId, added.Id));
        Collect(await f.Service.As(Owner).EditRegistryAsync(f.EnvironmentId, added.Id, Credential("edited", Canary + "3")));
        Collect(await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, second.Id));
        var denied = await f.ResolveAsync("registry.example.com/app:1");
        Collect(denied, denied.Reason);
        await Capture(() => new ImagePullService(f.Resolver, new FakeImageEngine()).EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app:1")).AsTask());
        Collect(await f.Service.As(Owner).ActivateRegistryAsync(f.EnvironmentId, second.Id));
        await Capture(() => f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, second.Id).AsTask());
        await Capture(() => f.Service.As(Reader).ResolveAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app")).AsTask());
        await Capture(() => f.Service.As(Outsider).GetRegistryAsync(f.EnvironmentId, added.Id).AsTask());
        await Capture(() => f.Service.As(Owner).EditRegistryAsync(f.EnvironmentId, added.Id, Credential("bad email", Canary, "not-an-email")).AsTask());
        await Capture(() => Task.FromResult(new RegistryCredential("ops@example.com", "user:colon", Canary)));
        Collect(f.Events.ToArray());
        Collect(f.Events.Select(e => e.Registry).ToArray());

        Assert.NotEmpty(texts);
        Assert.All(texts, text => Assert.DoesNotContain("CANARY", text ?? string.Empty, StringComparison.Ordinal));
        Assert.Equal(Canary + "3", (await f.Store.GetRegistryAsync(f.EnvironmentId, added.Id))!.Password!.Reveal());
    }

    [Fact]
    public void RegistrySecret_EqualityIsByReference_SoPasswordsCannotBeProbed()
    {
        var a = new RegistrySecret(Canary);
        var b = new RegistrySecret(Canary);

        Assert.NotEqual(a, b);
        Assert.Equal("***", a.ToString());
        Assert.Equal(Canary, a.Reveal());
    }

    [Fact]
    public void PublicTypesHoldingSecrets_AreNotRecords()
    {
        // A positional record's generated ToString would print every property, the password included.
        foreach (var type in new[] { typeof(RegistrySecret), typeof(RegistryCredential), typeof(StoredRegistry), typeof(CredentialResolution) })
        {
            Assert.Null(type.GetMethod("<Clone>$"));
            Assert.Equal(type, type.GetMethod(nameof(ToString), Type.EmptyTypes)!.DeclaringType);
        }
    }
}
