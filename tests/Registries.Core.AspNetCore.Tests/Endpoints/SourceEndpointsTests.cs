using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>Credential sources through the API: an add or an edit chooses the source with its own fields, refused
/// field by field; listings and resolutions say the source and the expiry, never a password or token.</summary>
public sealed class SourceEndpointsTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private const string TokenCanary = "Canary-token-5e1d0b2a";
    private readonly ApiFactory _api = new();

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync()
    {
        Assert.DoesNotContain(_api.Logs.GetSnapshot(), r => (r.Message + r.Exception).Contains(TokenCanary, StringComparison.Ordinal) || (r.Message + r.Exception).Contains(ApiFactory.Canary, StringComparison.Ordinal));
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Add_EachSource_IsListedWithItsSourceAndNoSecret()
    {
        var helper = await AddAsync(new { kind = "custom", address = "helper.example.com", email = "ops@example.com", source = "credential-helper", sourceName = "ecr-login" });
        var plugin = await AddAsync(new { kind = "custom", address = "plugin.example.com", email = "ops@example.com", source = "kubelet-plugin", sourceName = "ecr-credential-provider" });
        var token = await AddAsync(new { kind = "custom", address = "token.example.com", email = "ops@example.com", source = "identity-token", username = "robot", identityToken = TokenCanary });
        var expiring = await AddAsync(new { kind = "custom", address = "expiring.example.com", email = "ops@example.com", username = "deploy", password = ApiFactory.Canary, expiresAt = "2999-01-31T18:00:00+01:00" });

        Assert.Equal("credential-helper", helper.GetProperty("source").GetString());
        Assert.Equal("ecr-login", helper.GetProperty("sourceName").GetString());
        Assert.Equal(JsonValueKind.Null, helper.GetProperty("expiresAt").ValueKind);
        Assert.Equal(string.Empty, helper.GetProperty("username").GetString());
        Assert.Equal("kubelet-plugin", plugin.GetProperty("source").GetString());
        Assert.Equal("ecr-credential-provider", plugin.GetProperty("sourceName").GetString());
        Assert.Equal("identity-token", token.GetProperty("source").GetString());
        Assert.False(token.TryGetProperty("sourceName", out _));
        Assert.Equal("robot", token.GetProperty("username").GetString());
        Assert.Equal("stored", expiring.GetProperty("source").GetString());
        Assert.Equal(new DateTimeOffset(2999, 1, 31, 17, 0, 0, TimeSpan.Zero), expiring.GetProperty("expiresAt").GetDateTimeOffset());

        var list = await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.ReadOnly);
        Assert.Equal(200, list.Status);
        Assert.Equal(
            new[] { "stored", "credential-helper", "kubelet-plugin", "identity-token", "stored" },
            list.Json.EnumerateArray().Select(r => r.GetProperty("source").GetString()!).ToArray());
        Assert.DoesNotContain(TokenCanary, list.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.Canary, list.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("identityToken", list.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_DateOnlyExpiry_IsMidnightUtcAtItsStart()
    {
        var added = await AddAsync(new { kind = "custom", address = "expiring.example.com", email = "ops@example.com", username = "deploy", password = "pw", expiresAt = "2999-01-31" });

        Assert.Equal(new DateTimeOffset(2999, 1, 31, 0, 0, 0, TimeSpan.Zero), added.GetProperty("expiresAt").GetDateTimeOffset());
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        // body, the field the problem names
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"vault","sourceName":"x"}""", "source" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"credential-helper"}""", "sourceName" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"credential-helper","sourceName":"../../bin/sh"}""", "sourceName" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"credential-helper","sourceName":"pass","password":"Canary-pw-7f3a9c1e"}""", "password" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"credential-helper","sourceName":"pass","username":"u"}""", "username" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"kubelet-plugin","sourceName":"p","expiresAt":"2999-01-01"}""", "expiresAt" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"identity-token","username":"u"}""", "identityToken" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"identity-token","identityToken":"Canary-token-5e1d0b2a"}""", "username" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":"identity-token","username":"u","identityToken":"t","password":"p"}""", "password" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","username":"u","password":"p","identityToken":"Canary-token-5e1d0b2a"}""", "identityToken" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","username":"u","password":"p","sourceName":"pass"}""", "sourceName" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","username":"u","password":"p","expiresAt":"2001-01-01"}""", "expiresAt" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","username":"u","password":"p","expiresAt":"2999-01-01T10:00:00"}""", "expiresAt" },
        { """{"kind":"custom","address":"a.example.com","email":"o@example.com","username":"u","password":"p","expiresAt":"tomorrow"}""", "expiresAt" },
        { """{"kind":"custom","address":"a.example.com","email":"not-an-email","source":"credential-helper","sourceName":"pass"}""", "email" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Add_BadSourceFields_Is400NamingTheFieldAndNothingIsAdded(string body, string field)
    {
        var before = (await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.Owner)).Body;

        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member, rawBody: body);

        var detail = response.AssertProblem(400, "invalid-input");
        Assert.Equal(field, response.Json.GetProperty("field").GetString());
        Assert.DoesNotContain(TokenCanary, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.Canary, detail, StringComparison.Ordinal);
        Assert.Equal(before, (await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.Owner)).Body);
    }

    [Fact]
    public async Task Add_SourceOfTheWrongType_Is400NamingIt()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member, rawBody: """{"kind":"custom","address":"a.example.com","email":"o@example.com","source":1}""");

        response.AssertProblem(400, "invalid-json");
        Assert.Equal("source", response.Json.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Edit_ChangesTheSource_StoredToHelperAndBack()
    {
        var entry = $"{Env}/registries/{_api.RegistryId}";

        var toHelper = await _api.SendAsync(HttpMethod.Put, entry, ApiFactory.Member, new { email = "ops@example.com", source = "credential-helper", sourceName = "pass" });
        var back = await _api.SendAsync(HttpMethod.Put, entry, ApiFactory.Member, new { email = "ops@example.com", username = "ci", password = ApiFactory.Canary, expiresAt = "2999-06-01" });

        Assert.Equal(200, toHelper.Status);
        Assert.Equal("credential-helper", toHelper.Json.GetProperty("source").GetString());
        Assert.Equal("pass", toHelper.Json.GetProperty("sourceName").GetString());
        Assert.Equal(200, back.Status);
        Assert.Equal("stored", back.Json.GetProperty("source").GetString());
        Assert.False(back.Json.TryGetProperty("sourceName", out _));
        Assert.Equal(new DateTimeOffset(2999, 6, 1, 0, 0, 0, TimeSpan.Zero), back.Json.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Edit_HelperWithAPassword_Is400AndTheEntryIsUnchanged()
    {
        var entry = $"{Env}/registries/{_api.RegistryId}";
        var before = (await _api.SendAsync(HttpMethod.Get, entry, ApiFactory.Owner)).Body;

        var response = await _api.SendAsync(HttpMethod.Put, entry, ApiFactory.Member, new { email = "ops@example.com", source = "credential-helper", sourceName = "pass", password = "x" });

        response.AssertProblem(400, "invalid-input");
        Assert.Equal("password", response.Json.GetProperty("field").GetString());
        Assert.Equal(before, (await _api.SendAsync(HttpMethod.Get, entry, ApiFactory.Owner)).Body);
    }

    [Fact]
    public async Task Resolve_StoredEntry_SaysStoredAndNullExpiry()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + ApiFactory.Address + "/team/app:1", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.Equal("authenticated", response.Json.GetProperty("outcome").GetString());
        Assert.Equal("stored", response.Json.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Resolve_Anonymous_HasNullSourceAndExpiry()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=ghcr.io/org/app", ApiFactory.Member);

        Assert.Equal("anonymous", response.Json.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("source").ValueKind);
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Explain_NamesTheSourceOfEveryCandidate()
    {
        await AddAsync(new { kind = "custom", address = ApiFactory.Address, path = "team", email = "ops@example.com", source = "credential-helper", sourceName = "pass" });

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=" + ApiFactory.Address + "/team/app:1", ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        Assert.Equal("credential-helper", response.Json.GetProperty("source").GetString());
        Assert.Equal("pass", response.Json.GetProperty("sourceName").GetString());
        Assert.Equal(new[] { "credential-helper", "stored" }, response.Json.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("source").GetString()!).Order(StringComparer.Ordinal).ToArray());
    }

    private async Task<JsonElement> AddAsync(object body)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member, body);
        Assert.True(response.Status == 201, response.ToString());
        Assert.DoesNotContain(TokenCanary, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.Canary, response.Body, StringComparison.Ordinal);
        return response.Json;
    }
}

/// <summary>Resolution through a source over the API, with the testing package's fake: authenticated with the source's
/// expiry, unavailable with its reason (200, as denied), refresh dropping the cached value.</summary>
public sealed class SourceResolutionEndpointsTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private const string Secret = "Canary-fake-secret-6d2e";
    private readonly Registries.Core.Testing.FakeCredentialSource _source = new();
    private readonly ApiFactory _api;
    private string _entry = string.Empty;

    public SourceResolutionEndpointsTests()
    {
        _api = new ApiFactory(services: services => services.AddSingleton<Registries.Core.Sources.ICredentialSource>(_source));
    }

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    public async Task InitializeAsync()
    {
        await _api.SeedAsync();
        var added = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member, new { kind = "custom", address = "helper.example.com", email = "ops@example.com", source = "credential-helper", sourceName = "fake" });
        Assert.True(added.Status == 201, added.ToString());
        _entry = $"{Env}/registries/{added.Json.GetProperty("id").GetString()}";
    }

    public async Task DisposeAsync()
    {
        Assert.DoesNotContain(_api.Logs.GetSnapshot(), r => (r.Message + r.Exception).Contains(Secret, StringComparison.Ordinal));
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Resolve_SourceGivesACredential_IsAuthenticatedWithItsExpiryAndNoSecret()
    {
        _source.Returns("fake-user", Secret, TimeSpan.FromHours(1));

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=helper.example.com/app:1", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.Equal("authenticated", response.Json.GetProperty("outcome").GetString());
        Assert.Equal("fake-user", response.Json.GetProperty("username").GetString());
        Assert.Equal("credential-helper", response.Json.GetProperty("source").GetString());
        Assert.Equal("fake", response.Json.GetProperty("sourceName").GetString());
        Assert.InRange(response.Json.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.DoesNotContain(Secret, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_SourceFails_IsUnavailable200WithTheReasonNeverAnonymous()
    {
        _source.Fails("the vault is sealed");

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=helper.example.com/app:1", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.Equal("unavailable", response.Json.GetProperty("outcome").GetString());
        Assert.Equal("credential-helper", response.Json.GetProperty("source").GetString());
        Assert.Contains("the vault is sealed", response.Json.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(response.Json.TryGetProperty("username", out _));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, response.Json.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Refresh_DropsTheCachedValue_TheNextResolutionAsksTheSourceAgain()
    {
        _source.Returns("fake-user", Secret, TimeSpan.FromHours(1));
        await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=helper.example.com/app:1", ApiFactory.Member);
        await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=helper.example.com/app:1", ApiFactory.Member);
        var cachedCalls = _source.CallCount;

        var refreshed = await _api.SendAsync(HttpMethod.Post, _entry + "/refresh", ApiFactory.Member);
        await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=helper.example.com/app:1", ApiFactory.Member);

        Assert.Equal(1, cachedCalls);
        Assert.Equal(200, refreshed.Status);
        Assert.Equal("credential-helper", refreshed.Json.GetProperty("source").GetString());
        Assert.Equal(2, _source.CallCount);
    }

    [Fact]
    public async Task Refresh_ReadOnly_Is403AndUnknownEntryIs404()
    {
        var readOnly = await _api.SendAsync(HttpMethod.Post, _entry + "/refresh", ApiFactory.ReadOnly);
        var unknown = await _api.SendAsync(HttpMethod.Post, Env + "/registries/1r999/refresh", ApiFactory.Member);

        readOnly.AssertProblem(403, "permission-denied");
        Assert.Equal(404, unknown.Status);
    }

    [Fact]
    public async Task Refresh_FromAnotherOrigin_IsRefusedAsEveryWriteIs()
    {
        var response = await _api.SendAsync(HttpMethod.Post, _entry + "/refresh", ApiFactory.Member, headers: [new("Origin", "https://evil.example")]);

        Assert.Equal(403, response.Status);
        Assert.Equal(0, _source.CallCount);
    }
}
