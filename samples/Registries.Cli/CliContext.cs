using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Registries.Core;
using Registries.Core.DependencyInjection;

namespace Registries.Cli;

// What one invocation needs: the parsed command line, the console, the acting user and the library's services,
// built through DI the way an application would (AddRegistries, then the store, the credential sources the operator
// allowed and the adapters).
internal sealed class CliContext(ParseResult parseResult, GlobalOptions globals, CliConsole console) : IAsyncDisposable
{
    private ServiceProvider? _services;

    public ParseResult ParseResult { get; } = parseResult;

    public CliConsole Console { get; } = console;

    public bool Json => ParseResult.GetValue(globals.Json);

    public string Actor => globals.Actor(ParseResult);

    public string StorePath => globals.StorePath(ParseResult);

    public string? KeyFilePath => globals.KeyFilePath(ParseResult);

    // Every operation acts for the user of --as: the caller is plugged in once, where the container is built, the way
    // an ASP.NET Core app plugs in the signed-in user.
    public RegistryService Registries => Services().GetRequiredService<RegistryService>();

    // ENV is an id or a name (DESIGN.md section 4): the library finds it among the environments the user can see, the
    // id winning, and every command then works with the id.
    public async Task<string> EnvironmentIdAsync(string idOrName, CancellationToken cancellationToken)
        => (await Registries.GetEnvironmentByIdOrNameAsync(idOrName, cancellationToken)).Id;

    // Builds the container once; adapters (the Docker engine for `pull`, the interop services for `docker-config` and
    // `registry import`...) are added by the command that needs them, which must ask before anything else does.
    public ServiceProvider Services(Action<IRegistriesBuilder>? configure = null)
    {
        if (_services is not null && configure is not null)
        {
            throw new InvalidOperationException("The services were built before the command added its own: ask for them with the command's configuration first.");
        }

        if (_services is null)
        {
            var services = new ServiceCollection();
            var actor = Actor;
            var builder = services.AddRegistries().UseCaller(_ => actor);
            CliStore.Use(builder, StorePath, KeyFilePath);
            CliSources.Use(builder, globals, ParseResult);
            configure?.Invoke(builder);
            _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        }

        return _services;
    }

    // A service of an adapter the command adds, resolved where its options are checked: an invalid value typed on the
    // command line (an empty --certs-dir, a --docker-host that is no endpoint) fails here, before the store is read.
    public T Service<T>(Action<IRegistriesBuilder> configure)
        where T : notnull
        => Services(configure).GetRequiredService<T>();

    public ValueTask DisposeAsync() => _services?.DisposeAsync() ?? ValueTask.CompletedTask;
}
