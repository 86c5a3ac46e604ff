using Registries.Core.Storage;

namespace Registries.Core.Interop.Tests;

/// <summary>A service over an in-memory store with one Cattle environment owned by "alice".</summary>
internal sealed class Domain
{
    public const string Owner = "alice";
    public const string Email = "ops@example.com";

    private Domain(RegistryService service, string environmentId)
    {
        Service = service;
        EnvironmentId = environmentId;
    }

    public RegistryService Service { get; }

    public string EnvironmentId { get; }

    public static async Task<Domain> CreateAsync()
    {
        var service = new RegistryService(new InMemoryRegistryStore());
        var environment = await service.CreateEnvironmentAsync(Owner, "interop");
        await service.SetMemberAsync(Owner, environment.Id, "bob", EnvironmentRole.Member);
        await service.SetMemberAsync(Owner, environment.Id, "reader", EnvironmentRole.ReadOnly);
        return new Domain(service, environment.Id);
    }

    public async Task<Registry> AddAsync(string address, string username, string password, string email = Email)
        => await Service.AddRegistryAsync(Owner, EnvironmentId, RegistryAddress.Parse(address), new RegistryCredential(email, username, password));

    public async Task<CredentialResolution> ResolveAsync(string address)
        => await Service.ResolveAsync(Owner, EnvironmentId, ImageReference.Parse(address + "/x"));
}
