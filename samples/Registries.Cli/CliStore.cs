using Registries.Core.DependencyInjection;

namespace Registries.Cli;

// The store behind the CLI.
internal static class CliStore
{
    public static void Use(IRegistriesBuilder builder, string path)
    {
        _ = path;
        builder.UseInMemoryStore();
    }
}
