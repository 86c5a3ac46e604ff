using Microsoft.Extensions.DependencyInjection;

namespace Registries.Core.DependencyInjection;

/// <summary>The builder returned by <see cref="RegistriesServiceCollectionExtensions.AddRegistries"/>; adapters extend it (<c>UseFileStore</c>, <c>UseDocker</c>, …).</summary>
public interface IRegistriesBuilder
{
    /// <summary>Gets the service collection the library is registered in.</summary>
    IServiceCollection Services { get; }
}
