using Microsoft.Extensions.Options;
using Registries.Core.Sources;

namespace Registries.Core.DependencyInjection;

// Checked at start (ValidateOnStart) and on first use, with the domain's own rules and words (CredentialSources refuses
// the same options built without DI).
internal sealed class CredentialSourceOptionsValidator : IValidateOptions<CredentialSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, CredentialSourceOptions options)
        => options.Problems() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
}
