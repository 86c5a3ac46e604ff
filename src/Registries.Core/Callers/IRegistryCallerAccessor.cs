namespace Registries.Core;

/// <summary>Tells <see cref="RegistryService"/> who the current caller is; the application registers one, once.</summary>
/// <remarks>
/// <para>An ASP.NET Core application reads the signed-in user of the current request (for example through
/// <c>IHttpContextAccessor</c> and <c>ClaimsPrincipal.Identity.Name</c>); a worker returns its service account. The
/// accessor is asked once at the start of every operation, from the thread that calls the operation, so an accessor
/// over an <see cref="AsyncLocal{T}"/> (as <c>IHttpContextAccessor</c> is) sees the right request.</para>
/// <para>Return <see langword="null"/> when nobody is signed in: the operation then throws
/// <see cref="MissingCallerException"/> and touches nothing. Scripts and tests that know the caller use
/// <see cref="RegistryService.As(string)"/> instead of an accessor.</para>
/// </remarks>
public interface IRegistryCallerAccessor
{
    /// <summary>Gets the current caller, or <see langword="null"/> when there is none.</summary>
    RegistryCaller? Caller { get; }
}
