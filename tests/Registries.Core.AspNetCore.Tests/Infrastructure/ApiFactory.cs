using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;

namespace Registries.Core.AspNetCore.Tests.Infrastructure;

/// <summary>The test application in a <see cref="WebApplicationFactory{TEntryPoint}"/>, with an in-memory store seeded
/// with an Owner (olivia), a Member (mike) and a ReadOnly member (rita) of a Cattle environment "prod", and a custom
/// registry whose password is <see cref="Canary"/>.</summary>
public sealed class ApiFactory : WebApplicationFactory<ApiFactory>
{
    /// <summary>A password that must never come back, but from the exports.</summary>
    public const string Canary = "Canary-pw-7f3a9c1e";

    public const string Owner = "olivia";
    public const string Member = "mike";
    public const string ReadOnly = "rita";
    public const string Outsider = "oscar";
    public const string Address = "registry.example.com:5000";

    static ApiFactory()
    {
        // The factory looks for the application's content root; this application is the test assembly itself.
        System.Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_REGISTRIES_CORE_ASPNETCORE_TESTS", AppContext.BaseDirectory);
    }

    private readonly Action<HttpContextCallerOptions>? _caller;
    private readonly Action<RouteGroupBuilder>? _group;
    private readonly Action<IServiceCollection>? _services;

    /// <summary>Creates the application.</summary>
    /// <param name="caller">Configures the HTTP caller, optional.</param>
    /// <param name="group">Adds the application's own endpoints to the group MapRegistries returns, optional.</param>
    /// <param name="services">Adds services of the test's own (a fake credential source), optional.</param>
    public ApiFactory(Action<HttpContextCallerOptions>? caller = null, Action<RouteGroupBuilder>? group = null, Action<IServiceCollection>? services = null)
    {
        _caller = caller;
        _group = group;
        _services = services;
    }

    public SwitchableStore Store { get; } = new();

    public FakeLogCollector Logs { get; } = new();

    public string EnvironmentId { get; private set; } = string.Empty;

    public string KubernetesEnvironmentId { get; private set; } = string.Empty;

    public string RegistryId { get; private set; } = string.Empty;

    public async Task<ApiFactory> SeedAsync()
    {
        var service = Services.GetRequiredService<RegistryService>().As(Owner);
        var environment = await service.CreateEnvironmentAsync("prod");
        EnvironmentId = environment.Id;
        await service.SetMemberAsync(EnvironmentId, Member, EnvironmentRole.Member);
        await service.SetMemberAsync(EnvironmentId, ReadOnly, EnvironmentRole.ReadOnly);
        var registry = await service.AddRegistryAsync(EnvironmentId, RegistryAddress.Parse(Address), new RegistryCredential("ci@example.com", "ci", Canary));
        RegistryId = registry.Id;
        KubernetesEnvironmentId = (await service.CreateEnvironmentAsync("k8s", OrchestrationKind.Kubernetes)).Id;
        return this;
    }

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? user, object? json = null, string? ifMatch = null, string? rawBody = null, string contentType = "application/json", IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var client = CreateClient();
        return await SendAsync(client, method, path, user, json, ifMatch, rawBody, contentType, headers);
    }

    public static async Task<ApiResponse> SendAsync(HttpClient client, HttpMethod method, string path, string? user, object? json = null, string? ifMatch = null, string? rawBody = null, string contentType = "application/json", IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Add(HeaderAuthenticationHandler.UserHeader, user);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var body = rawBody ?? (json is null ? null : JsonSerializer.Serialize(json));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse((int)response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, response.Headers, response.Content.Headers);
    }

    protected override IHostBuilder CreateHostBuilder()
        => Host.CreateDefaultBuilder()
            .ConfigureWebHostDefaults(web => web
                .ConfigureServices(services =>
                {
                    TestApp.ConfigureServices(services, Store, Logs, _caller);
                    _services?.Invoke(services);
                })
                .Configure(app => TestApp.Configure(app, _group)));
}
