using System.Collections;
using System.Reflection;
using Registries.Core.Events;
using Registries.Core.Storage;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

/// <summary>Observers never get the password: the event carries everything of a resolution but its secret.</summary>
public sealed class ResolutionEventTests
{
    [Fact]
    public void PublicProperties_NoneCanHoldASecret()
    {
        var types = Reachable(typeof(ResolutionEvent)).ToArray();

        Assert.Contains(typeof(Registry), types);
        Assert.DoesNotContain(typeof(RegistrySecret), types);
        Assert.DoesNotContain(typeof(RegistryCredential), types);
        Assert.DoesNotContain(typeof(StoredRegistry), types);
        Assert.DoesNotContain(typeof(CredentialResolution), types);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("address")]
    public async Task Values_AfterAnAuthenticatedResolutionWithACanaryPassword_NeverHoldIt(string by)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var recording = new RecordingResolutionObserver();
        var failures = new RecordingFailureHandler();
        var resolver = new LaunchResolver(seeded.Store, null, [recording, new ThrowingResolutionObserver()], failures);

        var resolution = by == "image"
            ? await resolver.ResolveAsync(seeded.EnvironmentId, "registry.example.com/team/app:1")
            : await resolver.ResolveAsync(seeded.EnvironmentId, RegistryAddress.Parse("registry.example.com"));
        var told = Assert.Single(recording.Resolutions);
        var texts = Values(told, depth: 3).ToList();

        Assert.Equal(Canary, resolution.Password!.Reveal());
        Assert.Equal(ResolutionOutcome.Authenticated, told.Outcome);
        Assert.Contains("active", texts);
        Assert.DoesNotContain(texts, t => t.Contains(Canary, StringComparison.Ordinal) || t.Contains("CANARY", StringComparison.Ordinal));
        Assert.DoesNotContain("CANARY", told.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", Assert.Single(failures.Failures).ToString(), StringComparison.Ordinal);
        Assert.Contains(seeded.ActiveId, told.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_EveryOutcome_SaysWhatWasResolvedWhereWithoutTheSecret()
    {
        var registry = new Registry("1r2", "1a1", RegistryAddress.Quay, RegistryState.Active, "ops@example.com", "deploy", 2, 1);

        var authenticated = new ResolutionEvent("1a1", CredentialResolution.Authenticated(RegistryAddress.Quay, registry, new RegistrySecret(Canary)));
        var denied = new ResolutionEvent("1a1", CredentialResolution.Denied(ImageReference.Parse("quay.io/org/app:1"), registry.WithState(RegistryState.Inactive), "inactive"));
        var anonymous = new ResolutionEvent("1a1", CredentialResolution.Anonymous(RegistryAddress.DockerHub));

        Assert.Equal("Authenticated: quay.io in 1a1 (1r2)", authenticated.ToString());
        Assert.Equal("Denied: quay.io/org/app:1 in 1a1 (1r2)", denied.ToString());
        Assert.Equal("Anonymous: docker.io in 1a1", anonymous.ToString());
        Assert.Equal("inactive", denied.Reason);
    }

    // Every type a caller can reach from the public instance properties of a type, through library types.
    private static IEnumerable<Type> Reachable(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>([root]);
        while (pending.TryDequeue(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (!seen.Add(type) || type.Assembly != typeof(ResolutionEvent).Assembly)
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                pending.Enqueue(property.PropertyType);
            }
        }

        return seen;
    }

    // The text of every value reachable from an object's public properties, a few levels deep.
    private static IEnumerable<string> Values(object? value, int depth)
    {
        if (value is null)
        {
            yield break;
        }

        yield return value.ToString() ?? string.Empty;
        if (depth == 0 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            yield break;
        }

        var children = value is IEnumerable sequence
            ? sequence.Cast<object?>()
            : value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).Select(p => p.GetValue(value));
        foreach (var child in children)
        {
            foreach (var text in Values(child, depth - 1))
            {
                yield return text;
            }
        }
    }
}
