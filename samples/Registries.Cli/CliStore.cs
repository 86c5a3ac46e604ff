using Registries.Core.DependencyInjection;
using Registries.Core.Storage;

namespace Registries.Cli;

// The CLI keeps its state in the file store: one JSON file, passwords encrypted with the key in FILE.key next to it,
// or in the file --key-file names. Several CLI processes may share one store; the store file is created by the first
// write, never by a read.
internal static class CliStore
{
    public static void Use(IRegistriesBuilder builder, string path, string? keyFile)
        => builder.UseFileStore(options =>
        {
            options.Path = path;
            options.KeyPath = keyFile;
        });
}
