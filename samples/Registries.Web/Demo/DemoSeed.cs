using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.Storage;

namespace Registries.Web.Demo;

/// <summary>On first run, when the store holds no environment, creates the demo environment with the demo users as members.</summary>
/// <param name="store">The store, asked whether it is empty (the service only lists a caller's own environments).</param>
/// <param name="registries">The library.</param>
/// <param name="options">The demo users.</param>
/// <param name="logger">Says what was seeded.</param>
internal sealed partial class DemoSeed(IRegistryStore store, RegistryService registries, IOptions<DemoOptions> options, ILogger<DemoSeed> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value;
        var owner = demo.Users.FirstOrDefault(u => u.Value.Role == EnvironmentRole.Owner).Key;
        if (owner is null || (await store.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return;
        }

        RegistryEnvironment environment;
        try
        {
            environment = await registries.As(owner).CreateEnvironmentAsync(demo.Environment, OrchestrationKind.Cattle, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateEnvironmentNameException)
        {
            // Another instance over the same database seeded it at the same moment.
            return;
        }

        foreach (var (name, user) in demo.Users.Where(u => !string.Equals(u.Key, owner, StringComparison.Ordinal)))
        {
            await registries.As(owner).SetMemberAsync(environment.Id, name, user.Role, cancellationToken).ConfigureAwait(false);
        }

        LogSeeded(logger, environment.Name, environment.Id, demo.Users.Count);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "The store was empty: seeded the demo environment {Name} ({Id}) with {Count} users.")]
    private static partial void LogSeeded(ILogger logger, string name, string id, int count);
}
