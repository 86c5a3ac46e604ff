using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Registries.Core.AspNetCore;
using Registries.Core.DependencyInjection;
using Registries.Web;
using Registries.Web.Demo;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRazorPages(options =>
{
    // Every page needs a signed-in user except the sign-in page itself and the error page.
    options.Conventions.AuthorizeFolder("/");
    options.Conventions.AllowAnonymousToPage("/Login");
    options.Conventions.AllowAnonymousToPage("/Error");
});
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.LoginPath = "/Login";
        options.Cookie.Name = "registries-web";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;

        // The API under /api answers a missing sign-in itself (401 ProblemDetails), never with the sign-in page.
        options.Events.OnRedirectToLogin = context => RedirectUnlessApi(context, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = context => RedirectUnlessApi(context, StatusCodes.Status403Forbidden);
    });
builder.Services.AddDemo(builder.Configuration);

// The library: the caller is the signed-in user (the package's accessor, the same for the page and the API), and the
// API's ProblemDetails and exception handler (UseHttpApi); the store is a file, or PostgreSQL when a connection string
// is given; the credential sources are those the operator's configuration allows (SourceConfiguration).
builder.Services.AddRegistries()
    .UseHttpApi()
    .UseConfiguredStore(builder.Configuration)
    .UseConfiguredSources(builder.Configuration);
builder.Services.AddOpenApi();

// What the Add and Edit forms offer (the allowed helpers, the configured plugins), read from the sources above.
builder.Services.AddTransient<Registries.Web.Pages.CredentialChoices>();

// Operating it: the library's meter and activity source (both "Registries.Core"), exported the application's way: here
// Prometheus at /metrics; traces go to whatever exporter the platform adds (ASP.NET Core's request span is the parent
// of the library's spans). Health: the store's and the credential sources' checks are tagged "ready"; "live" only says the process answers.
builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter("Registries.Core").AddPrometheusExporter())
    .WithTracing(tracing => tracing.AddSource("Registries.Core"));
builder.Services.AddHealthChecks()
    .AddCheck("process", () => HealthCheckResult.Healthy("The process answers."), tags: ["live"]);

var app = builder.Build();

// Also in Development: a library error or a bug of a page shows the sample's error page, never a stack trace. The API's
// errors are answered by its own exception handler (registered by UseHttpApi, called by the API's endpoints) with their
// ProblemDetails.
// Probes and the scrape answer before the error pages and the sign-in: an orchestrator has no cookie.
app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
app.MapHealthChecks("/health/live", new() { Predicate = check => check.Tags.Contains("live") });
app.MapPrometheusScrapingEndpoint();

app.UseExceptionHandler("/Error");
app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();

// The HTTP API over the same sign-in cookie. A page of another site never gets it (SameSite=Strict); a page of another
// origin on the same site (another port of this host) does, so the API refuses every write such a page can send
// without a CORS preflight, which this app never grants: 403 when the browser's Origin or Sec-Fetch-Site says it comes
// from elsewhere, 415 for a form's content type.
app.MapRegistries();

// The API's OpenAPI document at /openapi/v1.json, for anyone: it describes the endpoints, never data, so it needs no
// sign-in, and AllowAnonymous keeps it that way should the app add a fallback authorization policy.
app.MapOpenApi().AllowAnonymous();

app.Run();

static Task RedirectUnlessApi(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
{
    if (context.Request.Path.StartsWithSegments(RegistriesEndpointRouteBuilderExtensions.DefaultPattern, StringComparison.OrdinalIgnoreCase))
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    context.Response.Redirect(context.RedirectUri);
    return Task.CompletedTask;
}
