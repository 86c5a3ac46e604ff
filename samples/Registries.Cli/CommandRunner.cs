using System.CommandLine;

namespace Registries.Cli;

// Runs a command's handler with its context and turns any exception into one line on stderr and an exit code:
// the user sees what was wrong and how to fix it, never a stack trace.
internal sealed class CommandRunner(GlobalOptions globals, CliConsole console)
{
    public GlobalOptions Globals { get; } = globals;

    public CliConsole Console { get; } = console;

    public void SetAction(Command command, Func<CliContext, CancellationToken, Task<int>> handler)
        => command.SetAction(async (parseResult, cancellationToken) =>
        {
            var context = new CliContext(parseResult, Globals, Console);
            try
            {
                return await handler(context, cancellationToken);
            }
            catch (Exception exception)
            {
                return Report(exception);
            }
            finally
            {
                await context.DisposeAsync();
            }
        });

    public int Report(Exception exception)
    {
        WriteError(CliErrors.MessageOf(exception));
        return CliErrors.ExitCodeOf(exception);
    }

    public void WriteError(string message) => Console.Error.WriteLine("registries: " + CliErrors.OneLine(message));
}
