using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;
using Registries.Core;
using Registries.Core.AspNetCore;
using Registries.Core.DependencyInjection;
using Registries.Core.FileStore;
using Registries.Core.PostgreSql;
using Registries.Core.Storage;

// The API under load (benchmarks/api-load.sh). Environment:
//   REGISTRIES_TEST_POSTGRES   an Npgsql connection string of a role that may create schemas (required)
//   API_LOAD_URL               where Kestrel listens (default http://127.0.0.1:5080); loopback only
//   API_LOAD_ENTRIES           entries in the environment resolved (default 100, at registry-N.example.com)
// It makes a fresh schema (api_load_GUID, dropped on exit), one environment owned by "owner" with the entries, and
// prints "ready ENVIRONMENT_ID" once it answers. GET /login signs in the one user, "owner" (a benchmark host, bound to
// loopback); GET /ping is the trivial endpoint, behind the same sign-in as the API.
var connectionString = Environment.GetEnvironmentVariable("REGISTRIES_TEST_POSTGRES") is { Length: > 0 } value
    ? value
    : throw new InvalidOperationException("Set REGISTRIES_TEST_POSTGRES to an Npgsql connection string (source the test services' env.sh).");
var url = Environment.GetEnvironmentVariable("API_LOAD_URL") is { Length: > 0 } u ? u : "http://127.0.0.1:5080";
var entries = int.TryParse(Environment.GetEnvironmentVariable("API_LOAD_ENTRIES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 42 ? n : 100;
var schema = "api_load_" + Guid.NewGuid().ToString("N");
var keyDirectory = Directory.CreateTempSubdirectory("registries-api-load-");

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(url);

// As an application's appsettings.json usually says (the templates' default): the framework logs warnings, the app
// informations; nothing per request.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
{
    options.Cookie.Name = "registries-load";

    // An API host: no sign-in page to send anyone to.
    options.Events.OnRedirectToLogin = context =>
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    };
});
builder.Services.AddAuthorization();
builder.Services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(Path.Combine(keyDirectory.FullName, "store.key")));
builder.Services.AddRegistries()
    .UseHttpApi()
    .UsePostgreSql(options =>
    {
        options.ConnectionString = connectionString;
        options.Schema = schema;
        options.ResolutionCache = true;
    });

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/login", async (HttpContext context) =>
{
    var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "owner")], CookieAuthenticationDefaults.AuthenticationScheme);
    await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    return Results.Text("signed in\n");
});
app.MapGet("/ping", () => "pong").RequireAuthorization();

// What the process allocated so far (all threads), for the script's bytes per request. Loopback only, no data.
app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: false).ToString(CultureInfo.InvariantCulture));
app.MapRegistries();

try
{
    await app.StartAsync();
    await using var scope = app.Services.CreateAsyncScope();
    var service = scope.ServiceProvider.GetRequiredService<RegistryService>().As("owner");
    var environment = await service.CreateEnvironmentAsync("load", OrchestrationKind.Cattle);
    for (var i = 0; i < entries; i++)
    {
        var index = i.ToString(CultureInfo.InvariantCulture);
        await service.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("registry-" + index + ".example.com")), new RegistryCredential("user" + index + "@example.com", "user" + index, "password-" + index));
    }

    Console.WriteLine("ready " + environment.Id);
    await app.WaitForShutdownAsync();
}
finally
{
    await app.DisposeAsync();
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    keyDirectory.Delete(recursive: true);
}
