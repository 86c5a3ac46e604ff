using Registries.Core;

namespace Registries.Quickstart;

/// <summary>The user signed in to the current flow: the sample's own caller accessor, plugged in once with
/// <c>services.AddRegistries().UseCaller&lt;CurrentUser&gt;()</c>.</summary>
/// <remarks>An <see cref="AsyncLocal{T}"/> follows the flow across awaits, as ASP.NET Core's <c>IHttpContextAccessor</c>
/// follows a request, so two requests served at once each see their own user. A web application would return the
/// request's user instead; a worker would return its service account. Code that acts for someone else for one
/// call says so with <c>registries.As(user)</c>.</remarks>
internal sealed class CurrentUser : IRegistryCallerAccessor
{
    private static readonly AsyncLocal<RegistryCaller?> Current = new();

    public RegistryCaller? Caller => Current.Value;

    public static void SignIn(string user) => Current.Value = new RegistryCaller(user);

    public static void SignOut() => Current.Value = null;
}
