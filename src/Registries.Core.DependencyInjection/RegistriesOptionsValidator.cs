using Microsoft.Extensions.Options;

namespace Registries.Core.DependencyInjection;

// Checked at start (ValidateOnStart) and on first use; the rules and their messages are the domain's own, so a service
// built without DI refuses the same options with the same words.
internal sealed class RegistriesOptionsValidator : IValidateOptions<RegistriesOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistriesOptions options)
        => options.Problems() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
}
