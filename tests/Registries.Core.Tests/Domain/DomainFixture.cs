using Registries.Core.Events;
using Registries.Core.Storage;

namespace Registries.Core.Tests.Domain;

/// <summary>A service over a fresh in-memory store, with an environment and its members, and recorded events.</summary>
internal sealed class DomainFixture
{
    public const string Owner = "olivia";
    public const string Member = "marcus";
    public const string Reader = "rita";
    public const string Outsider = "oscar";
    public const string Canary = "CANARY-p4ss\"w0rd:\\+/=Ünïcødé";

    private readonly RecordingEventObserver _recorder = new();

    private DomainFixture(RegistriesOptions? options)
    {
        Store = new InMemoryRegistryStore();
        Options = options ?? new RegistriesOptions();
        Resolver = new LaunchResolver(Store, Options);
        Service = new RegistryService(Store, Options, observers: [_recorder]);
    }

    public InMemoryRegistryStore Store { get; }

    public RegistriesOptions Options { get; }

    public RegistryService Service { get; }

    public LaunchResolver Resolver { get; }

    public IReadOnlyList<RegistryEvent> Events => _recorder.Events;

    public RegistryEnvironment Environment { get; private set; } = null!;

    public string EnvironmentId => Environment.Id;

    public static async Task<DomainFixture> CreateAsync(OrchestrationKind orchestration = OrchestrationKind.Cattle, RegistriesOptions? options = null)
    {
        var fixture = new DomainFixture(options);
        var environment = await fixture.Service.As(Owner).CreateEnvironmentAsync("production", orchestration);
        environment = await fixture.Service.As(Owner).SetMemberAsync(environment.Id, Member, EnvironmentRole.Member);
        environment = await fixture.Service.As(Owner).SetMemberAsync(environment.Id, Reader, EnvironmentRole.ReadOnly);
        fixture.Environment = environment;
        return fixture;
    }

    public static RegistryCredential Credential(string username = "deploy", string password = "s3cret", string email = "ops@example.com")
        => new(email, username, password);

    public async Task<Registry> AddAsync(string address, string username = "deploy", string password = "s3cret", string actor = Owner)
        => await Service.As(actor).AddRegistryAsync(EnvironmentId, RegistryAddress.Parse(address), Credential(username, password));

    public ValueTask<CredentialResolution> ResolveAsync(string image)
        => Resolver.ResolveAsync(EnvironmentId, ImageReference.Parse(image));
}
