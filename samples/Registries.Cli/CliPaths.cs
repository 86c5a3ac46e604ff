namespace Registries.Cli;

// Paths typed on the command line are relative to the folder the command runs in, so the CLI makes them absolute
// before they reach the library's options (which take absolute paths only).
internal static class CliPaths
{
    // An empty value is passed on as it is: the options' own rules then refuse it with what to give instead
    // (Path.GetFullPath would only say "The value cannot be an empty string").
    public static string Full(string path)
        => string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path);
}
