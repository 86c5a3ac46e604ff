namespace Registries.Cli.Tests;

/// <summary>A store made once per test class by running the CLI; each test starts from a copy of it.</summary>
/// <remarks>
/// 1a1 "prod" (cattle): alice owner, bob member, reader readonly; 1r2 docker.io (user u, active),
/// 1r3 registry.example.com:5000 (user deployer, active), 1r4 quay.io (user q, inactive).
/// 1a5 "k8s" (kubernetes): alice owner.
/// </remarks>
public sealed class SeededStore : IAsyncLifetime
{
    public const string Canary = "canary-Pa55:word/+é \"q\"";

    internal RegistriesCli Cli { get; } = new();

    public async Task InitializeAsync()
    {
        await Cli.SucceedAsync("env", "create", "prod");
        await Cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin");
        await Cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--address", "registry.example.com:5000", "--email", "ops@example.com", "--username", "deployer", "--password-stdin");
        await Cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "ops@example.com", "--username", "q", "--password-stdin");
        await Cli.SucceedAsync("registry", "deactivate", "1a1", "1r4");
        await Cli.SucceedAsync("env", "member", "add", "1a1", "bob");
        await Cli.SucceedAsync("env", "member", "add", "1a1", "reader", "--role", "readonly");
        await Cli.SucceedAsync("env", "create", "k8s", "--orchestration", "kubernetes");
    }

    public Task DisposeAsync()
    {
        Cli.Dispose();
        return Task.CompletedTask;
    }
}
