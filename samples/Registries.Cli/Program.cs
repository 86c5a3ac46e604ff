using Registries.Cli;

return await CliApplication.RunAsync(args, CliConsole.System());
