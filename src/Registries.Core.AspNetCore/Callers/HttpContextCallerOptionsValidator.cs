using Microsoft.Extensions.Options;

namespace Registries.Core.AspNetCore;

internal sealed class HttpContextCallerOptionsValidator : IValidateOptions<HttpContextCallerOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpContextCallerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // null means "Identity.Name"; an empty or blank claim type would silently make every request anonymous.
        return options.ClaimType is { } claimType && string.IsNullOrWhiteSpace(claimType)
            ? ValidateOptionsResult.Fail("HttpContextCallerOptions.ClaimType is empty: give a claim type such as \"sub\", or leave it null to use ClaimsPrincipal.Identity.Name.")
            : ValidateOptionsResult.Success;
    }
}
