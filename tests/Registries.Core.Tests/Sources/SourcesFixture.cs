using Microsoft.Extensions.Time.Testing;
using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Storage;
using Registries.Core.Testing;

namespace Registries.Core.Tests.Sources;

/// <summary>A service and a launch resolver over one in-memory store sharing one <see cref="CredentialSources"/> with a
/// fake helper source, a fake clock and a recording observer.</summary>
internal sealed class SourcesFixture
{
    public const string Owner = "olivia";
    public const string Reader = "rita";
    public const string Canary = "CANARY-t0ken\"w0rd:\\+/=Ünïcødé";

    public static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private SourcesFixture(CredentialSourceOptions? options, bool withSource)
    {
        Time = new FakeTimeProvider(Start);
        Helper = new FakeCredentialSource(CredentialSourceKind.CredentialHelper, Time);
        Sources = new CredentialSources(withSource ? [Helper] : [], options, Time, [Observer]);
        Store = new InMemoryRegistryStore();
        Service = new RegistryService(Store, sources: Sources);
        Resolver = new LaunchResolver(Store, sources: Sources);
        Engine = new FakeImageEngine();
        Pulls = new ImagePullService(Resolver, Engine);
    }

    public FakeTimeProvider Time { get; }

    public FakeCredentialSource Helper { get; }

    public CredentialSources Sources { get; }

    public RecordingSourceObserver Observer { get; } = new();

    public InMemoryRegistryStore Store { get; }

    public RegistryService Service { get; }

    public LaunchResolver Resolver { get; }

    public FakeImageEngine Engine { get; }

    public ImagePullService Pulls { get; }

    public string EnvironmentId { get; private set; } = null!;

    public RegistryService AsOwner => Service.As(Owner);

    public static async Task<SourcesFixture> CreateAsync(CredentialSourceOptions? options = null, bool withSource = true)
    {
        var fixture = new SourcesFixture(options, withSource);
        var environment = await fixture.AsOwner.CreateEnvironmentAsync("production", OrchestrationKind.Cattle);
        await fixture.AsOwner.SetMemberAsync(environment.Id, Reader, EnvironmentRole.ReadOnly);
        fixture.EnvironmentId = environment.Id;
        return fixture;
    }

    public async Task<Registry> AddHelperAsync(string scope = "registry.example.com", string helper = "pass")
        => await AsOwner.AddRegistryAsync(EnvironmentId, ParseScope(scope), RegistryCredential.FromCredentialHelper("ops@example.com", helper));

    public async Task<Registry> AddStoredAsync(string scope, string username = "deploy", string password = "s3cret", DateTimeOffset? expiresAt = null)
        => await AsOwner.AddRegistryAsync(EnvironmentId, ParseScope(scope), new RegistryCredential("ops@example.com", username, new RegistrySecret(password), expiresAt));

    public ValueTask<CredentialResolution> ResolveAsync(string image, CancellationToken cancellationToken = default)
        => Resolver.ResolveAsync(EnvironmentId, ImageReference.Parse(image), cancellationToken);

    private static RegistryScope ParseScope(string scope)
    {
        var slash = scope.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? RegistryScope.Parse(scope, null) : RegistryScope.Parse(scope[..slash], scope[(slash + 1)..]);
    }
}

/// <summary>Records what <see cref="CredentialSources"/> tells its observers.</summary>
internal sealed class RecordingSourceObserver : ICredentialSourceObserver
{
    private readonly Lock _gate = new();
    private readonly List<CredentialSourceEvent> _events = [];

    public IReadOnlyList<CredentialSourceEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    public void OnCredentialSourceEvent(CredentialSourceEvent sourceEvent)
    {
        lock (_gate)
        {
            _events.Add(sourceEvent);
        }
    }
}
