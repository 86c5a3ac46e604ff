using Microsoft.Extensions.Options;
using Registries.Core.Storage;

namespace Registries.Core.Interop.Tests;

/// <summary>A service over an in-memory store with one Cattle environment owned by "alice", member "bob" and ReadOnly "reader".</summary>
internal sealed class Domain
{
    public const string Owner = "alice";
    public const string Email = "ops@example.com";

    private Domain(RegistryService root, string environmentId)
    {
        Root = root;
        Service = root.As(Owner);
        EnvironmentId = environmentId;
    }

    /// <summary>Gets the service without a caller.</summary>
    public RegistryService Root { get; }

    /// <summary>Gets the service acting for the owner.</summary>
    public RegistryService Service { get; }

    public string EnvironmentId { get; }

    public static async Task<Domain> CreateAsync()
    {
        var root = new RegistryService(new InMemoryRegistryStore());
        var owner = root.As(Owner);
        var environment = await owner.CreateEnvironmentAsync("interop");
        await owner.SetMemberAsync(environment.Id, "bob", EnvironmentRole.Member);
        await owner.SetMemberAsync(environment.Id, "reader", EnvironmentRole.ReadOnly);
        return new Domain(root, environment.Id);
    }

    /// <summary>Builds a verifier as an application outside dependency injection does.</summary>
    public static RegistryCredentialVerifier Verifier(RegistryVerificationOptions? options = null)
        => new(Options.Create(options ?? new RegistryVerificationOptions()));

    /// <summary>Builds an importer as an application outside dependency injection does.</summary>
    public static DockerConfigImporter Importer(RegistryService service, DockerConfigImportOptions? options = null, RegistryCredentialVerifier? verifier = null)
        => new(service, Options.Create(options ?? new DockerConfigImportOptions()), verifier);

    /// <summary>Returns the service acting for <paramref name="user"/>.</summary>
    public RegistryService As(string user) => Root.As(user);

    public DockerConfigExporter Exporter(string user = Owner) => new(As(user));

    public async Task<Registry> AddAsync(string address, string username, string password, string email = Email)
        => await Service.AddRegistryAsync(EnvironmentId, RegistryAddress.Parse(address), new RegistryCredential(email, username, password));

    public async Task<CredentialResolution> ResolveAsync(string address)
        => await Service.ResolveAsync(EnvironmentId, RegistryAddress.Parse(address));
}
