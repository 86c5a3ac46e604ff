using Registries.Core;

namespace Registries.Web;

/// <summary>The library's caller is the user signed in to the current request.</summary>
/// <param name="http">Gives the current request.</param>
internal sealed class HttpContextCaller(IHttpContextAccessor http) : IRegistryCallerAccessor
{
    /// <inheritdoc />
    public RegistryCaller? Caller =>
        http.HttpContext?.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? new RegistryCaller(name) : null;
}
