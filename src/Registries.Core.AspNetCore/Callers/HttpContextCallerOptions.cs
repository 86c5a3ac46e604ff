namespace Registries.Core.AspNetCore;

/// <summary>Says how the caller of a registry operation is taken from the request's <see cref="System.Security.Claims.ClaimsPrincipal"/>.</summary>
/// <remarks>Only an authenticated identity is a caller: an anonymous request has none, and the endpoints answer it
/// with 401 before anything is read.</remarks>
public sealed class HttpContextCallerOptions
{
    /// <summary>Gets or sets the claim type whose value is the caller's user name; <see langword="null"/> (the default)
    /// takes <c>ClaimsPrincipal.Identity.Name</c>.</summary>
    /// <remarks>Set it when the user names of the environments' members are another claim, e.g. <c>"sub"</c> or
    /// <see cref="System.Security.Claims.ClaimTypes.Email"/>.</remarks>
    public string? ClaimType { get; set; }
}
