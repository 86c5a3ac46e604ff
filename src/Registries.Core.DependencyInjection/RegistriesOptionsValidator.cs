using Microsoft.Extensions.Options;

namespace Registries.Core.DependencyInjection;

// Checked at start (ValidateOnStart) and on first use, with messages that say how to fix the configuration.
internal sealed class RegistriesOptionsValidator : IValidateOptions<RegistriesOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistriesOptions options)
    {
        var failures = new List<string>();
        if (options.SupportedOrchestrations.Count == 0)
        {
            failures.Add("RegistriesOptions.SupportedOrchestrations is empty: keep at least Cattle, or registries cannot be used anywhere.");
        }

        foreach (var kind in options.SupportedOrchestrations)
        {
            if (!Enum.IsDefined(kind))
            {
                failures.Add($"RegistriesOptions.SupportedOrchestrations contains {(int)kind}, which is not an orchestration kind: use Cattle, Kubernetes, Swarm or Mesos.");
            }
        }

        if (options.ConcurrencyRetries is < 0 or > 100)
        {
            failures.Add($"RegistriesOptions.ConcurrencyRetries is {options.ConcurrencyRetries}: give a number from 0 to 100.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
