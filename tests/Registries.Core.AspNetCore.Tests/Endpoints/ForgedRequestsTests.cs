using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>Every write of the API, sent the ways a page of another origin (another port of the same host included) can
/// send it with the user's cookie, is refused before anything is read; the same write from the application's own pages,
/// or from a client that is not a browser, still works.</summary>
public sealed class ForgedRequestsTests : IAsyncLifetime
{
    private const string Base = "/api/registries";

    // The test server's own origin: http://localhost (port 80).
    private const string OwnOrigin = "http://localhost";

    // A probe the application adds to the group MapRegistries returns: the API maps no PATCH of its own.
    private const string Probe = Base + "/probe";

    private readonly ApiFactory _api = new(group: group => group.MapMethods("/probe", [HttpMethods.Patch, HttpMethods.Get], () => TypedResults.Ok("probed")).ExcludeFromDescription());

    /// <summary>The writes of the API (and the PATCH probe), each with a body it accepts and the status it answers.</summary>
    public static TheoryData<string> Writes => new(WriteRequests.Keys);

    private static readonly Dictionary<string, Write> WriteRequests = new()
    {
        ["CreateEnvironment"] = new("POST", _ => Base + "/environments", new { name = "staging" }, 201),
        ["SetMember"] = new("PUT", a => Env(a) + "/members/nina", new { role = "member" }, 200),
        ["RemoveMember"] = new("DELETE", a => Env(a) + "/members/" + ApiFactory.Member, null, 200),
        ["AddRegistry"] = new("POST", a => Env(a) + "/registries", new { kind = "quay", email = "o@example.com", username = "o", password = "pw" }, 201),
        ["EditRegistry"] = new("PUT", Entry, new { email = "o@example.com", username = "o", password = "pw" }, 200),
        ["DeactivateRegistry"] = new("POST", a => Entry(a) + "/deactivate", null, 200),
        ["ActivateRegistry"] = new("POST", a => Entry(a) + "/activate", null, 200, Inactive: true),
        ["DeleteRegistry"] = new("DELETE", Entry, null, 200, Inactive: true),
        ["Probe"] = new("PATCH", _ => Probe, null, 200),
    };

    public static TheoryData<string, string, string> ForeignOrigins
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var write in WriteRequests.Keys)
            {
                data.Add(write, "Sec-Fetch-Site", "same-site");
                data.Add(write, "Sec-Fetch-Site", "cross-site");
                data.Add(write, "Origin", "http://localhost:8080");
                data.Add(write, "Origin", "https://localhost");
                data.Add(write, "Origin", "http://evil.example");
                data.Add(write, "Origin", "null");
            }

            return data;
        }
    }

    public static TheoryData<string, string> FormContentTypes
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var write in WriteRequests.Keys)
            {
                data.Add(write, "text/plain");
                data.Add(write, "application/x-www-form-urlencoded");
                data.Add(write, "multipart/form-data; boundary=x");
                data.Add(write, "Text/Plain; charset=utf-8");
            }

            return data;
        }
    }

    public static TheoryData<string, string?, string?> OwnPages
    {
        get
        {
            var data = new TheoryData<string, string?, string?>();
            foreach (var write in WriteRequests.Keys)
            {
                // No header at all (curl, HttpClient); the application's own page; a typed address (none).
                data.Add(write, null, null);
                data.Add(write, "same-origin", OwnOrigin);
                data.Add(write, null, "http://LOCALHOST:80");
                data.Add(write, "none", null);
            }

            return data;
        }
    }

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [MemberData(nameof(ForeignOrigins))]
    public async Task Write_FromAnotherOrigin_Is403CrossOriginAndReadsNothing(string write, string header, string value)
    {
        var request = await PrepareAsync(write);
        var before = _api.Store.Calls;

        var response = await SendAsync(request, [new(header, value)]);

        var detail = response.AssertProblem(403, "cross-origin");
        Assert.Contains("own pages", detail, StringComparison.Ordinal);
        Assert.Equal(before, _api.Store.Calls);
    }

    [Theory]
    [MemberData(nameof(FormContentTypes))]
    public async Task Write_WithAFormContentType_Is415AndReadsNothing(string write, string contentType)
    {
        var request = await PrepareAsync(write);
        var before = _api.Store.Calls;

        // What a form or a no-cors fetch sends, with the body the write would otherwise accept.
        var response = await _api.SendAsync(new HttpMethod(request.Method), request.Path(_api), ApiFactory.Owner, request.Json ?? new { }, contentType: contentType);

        response.AssertProblem(415, "unsupported-media-type");
        Assert.Equal(before, _api.Store.Calls);
    }

    [Theory]
    [MemberData(nameof(OwnPages))]
    public async Task Write_FromTheOwnOriginOrNotABrowser_Works(string write, string? site, string? origin)
    {
        var request = await PrepareAsync(write);
        List<KeyValuePair<string, string>> headers = [];
        if (site is not null)
        {
            headers.Add(new("Sec-Fetch-Site", site));
        }

        if (origin is not null)
        {
            headers.Add(new("Origin", origin));
        }

        var response = await SendAsync(request, headers);

        Assert.True(response.Status == request.Status, response.ToString());
    }

    [Fact]
    public async Task Deactivate_FromASameSitePageWithTextPlain_Is403AndTheEntryStaysActive()
    {
        // The trial's request: an HTML form with enctype=text/plain on another port of the same host.
        var response = await _api.SendAsync(HttpMethod.Post, Entry(_api) + "/deactivate", ApiFactory.Owner, rawBody: "x=y", contentType: "text/plain",
            headers: [new("Origin", "http://localhost:5081"), new("Sec-Fetch-Site", "same-site")]);

        response.AssertProblem(403, "cross-origin");
        var entry = await _api.SendAsync(HttpMethod.Get, Entry(_api), ApiFactory.Owner);
        Assert.Equal("active", entry.Json.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Deactivate_BodylessFromTheOwnPage_Works()
    {
        // fetch(url, { method: 'POST' }) from the application's page: no body, no content type.
        var response = await _api.SendAsync(HttpMethod.Post, Entry(_api) + "/deactivate", ApiFactory.Owner,
            headers: [new("Origin", OwnOrigin), new("Sec-Fetch-Site", "same-origin")]);

        Assert.Equal(200, response.Status);
        Assert.Equal("inactive", response.Json.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Write_AnonymousFromAnotherSite_Is403BeforeTheCallerIsLookedAt()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Entry(_api) + "/deactivate", user: null, headers: [new("Sec-Fetch-Site", "cross-site")]);

        response.AssertProblem(403, "cross-origin");
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Origin", "http://evil.example")]
    public async Task Reads_FromAnotherOrigin_AreNotRefused(string header, string value)
    {
        // A read changes nothing; a browser keeps its answer from a page of another origin (no CORS is granted).
        var list = await _api.SendAsync(HttpMethod.Get, Env(_api) + "/registries", ApiFactory.ReadOnly, headers: [new(header, value)]);
        var probe = await _api.SendAsync(HttpMethod.Get, Probe, ApiFactory.ReadOnly, headers: [new(header, value)]);

        Assert.Equal(200, list.Status);
        Assert.Equal(200, probe.Status);
    }

    private static string Env(ApiFactory api) => $"{Base}/environments/{api.EnvironmentId}";

    private static string Entry(ApiFactory api) => $"{Env(api)}/registries/{api.RegistryId}";

    private async Task<Write> PrepareAsync(string name)
    {
        var write = WriteRequests[name];
        if (write.Inactive)
        {
            Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry(_api) + "/deactivate", ApiFactory.Owner)).Status);
        }

        return write;
    }

    private Task<ApiResponse> SendAsync(Write write, IEnumerable<KeyValuePair<string, string>> headers)
        => _api.SendAsync(new HttpMethod(write.Method), write.Path(_api), ApiFactory.Owner, write.Json, headers: headers);

    private sealed record Write(string Method, Func<ApiFactory, string> Path, object? Json, int Status, bool Inactive = false);
}
