using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Registries.Core.AspNetCore;

// The caller of the current request: its authenticated identity's name (or the configured claim). Registered as a
// singleton: IHttpContextAccessor flows the current request through the async context, so one instance serves all.
internal sealed class HttpContextCallerAccessor : IRegistryCallerAccessor
{
    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly string? _claimType;

    public HttpContextCallerAccessor(IHttpContextAccessor httpContextAccessor, IOptions<HttpContextCallerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(httpContextAccessor);
        ArgumentNullException.ThrowIfNull(options);
        _httpContextAccessor = httpContextAccessor;
        _claimType = options.Value.ClaimType;
    }

    public RegistryCaller? Caller => CallerOf(_httpContextAccessor.HttpContext);

    public RegistryCaller? CallerOf(HttpContext? context)
    {
        var user = context?.User;
        if (user?.Identity is not { IsAuthenticated: true } identity)
        {
            return null;
        }

        var name = _claimType is null ? identity.Name : user.FindFirst(_claimType)?.Value;
        return string.IsNullOrWhiteSpace(name) ? null : new RegistryCaller(name);
    }
}
