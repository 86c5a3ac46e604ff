using Microsoft.Extensions.DependencyInjection;

namespace Registries.Core.DependencyInjection;

internal sealed class RegistriesBuilder(IServiceCollection services) : IRegistriesBuilder
{
    public IServiceCollection Services { get; } = services;
}
