using System.Text;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>A body that names a field twice is refused whole, at any depth: the serializer would keep the last value, so
/// a proxy or a log reading the first would disagree with what the API stored.</summary>
public sealed class JsonBodyTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private readonly ApiFactory _api = new();

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task CreateEnvironment_NameTwice_Is400InvalidJsonNamingTheFieldAndCreatesNothing()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Base + "/environments", ApiFactory.Owner, rawBody: """{"name":"a","name":"b"}""");

        var detail = response.AssertProblem(400, "invalid-json");
        Assert.Contains("'name' more than once", detail, StringComparison.Ordinal);
        Assert.Equal("name", response.Json.GetProperty("field").GetString());
        var environments = await _api.SendAsync(HttpMethod.Get, Base + "/environments", ApiFactory.Owner);
        Assert.DoesNotContain(environments.Json.EnumerateArray(), e => e.GetProperty("name").GetString() is "a" or "b");
    }

    [Fact]
    public async Task AddRegistry_PasswordTwice_Is400WithoutEchoingEither()
    {
        var body = $$"""{"kind":"quay","email":"o@example.com","username":"o","password":"{{ApiFactory.Canary}}","password":"{{ApiFactory.Canary}}-2"}""";

        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner, rawBody: body);

        response.AssertProblem(400, "invalid-json");
        Assert.Equal("password", response.Json.GetProperty("field").GetString());
        Assert.Equal(1, (await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.Owner)).Json.GetArrayLength());
    }

    [Theory]
    [InlineData("""{"email":"e@example.com","username":"u","password":"p","username":"v"}""", "username")]
    [InlineData("""{"email":"e@example.com","username":"u","password":"p","pass\u0077ord":"q"}""", "password")]
    [InlineData("""{"email":{"a":1,"b":{"c":1,"c":2}},"username":"u","password":"p"}""", "email.b.c")]
    [InlineData("""{"email":[{"a":1},{"a":1,"a":2}],"username":"u","password":"p"}""", "email[1].a")]
    public async Task EditRegistry_AFieldTwiceAtAnyDepth_Is400NamingItsPath(string body, string field)
    {
        var response = await _api.SendAsync(HttpMethod.Put, $"{Env}/registries/{_api.RegistryId}", ApiFactory.Owner, rawBody: body);

        response.AssertProblem(400, "invalid-json");
        Assert.Equal(field, response.Json.GetProperty("field").GetString());
        Assert.Equal("ci", (await _api.SendAsync(HttpMethod.Get, $"{Env}/registries/{_api.RegistryId}", ApiFactory.Owner)).Json.GetProperty("username").GetString());
    }

    [Fact]
    public async Task SetMember_RoleTwice_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Put, Env + "/members/nina", ApiFactory.Owner, rawBody: """{"role":"readonly","role":"owner"}""");

        response.AssertProblem(400, "invalid-json");
    }

    [Theory]
    [InlineData("""{"a":[{"b":1},{"b":1}],"c":{"b":1}}""", null)]
    [InlineData("""{"a":1,"A":2}""", null)]
    [InlineData("""{"a":{"x":1},"b":{"x":1},"a":2}""", "a")]
    [InlineData("""[{"a":1},[{"a":1,"b":2,"a":3}]]""", "[1][0].a")]
    [InlineData("""{"a":1,"a":2""", "a")]
    [InlineData("""{"a" 1,"a":2}""", null)]
    public void FirstDuplicate_FindsARepeatedNameOfOneObjectOnly(string json, string? expected)
    {
        Assert.Equal(expected, JsonBody.FirstDuplicate(Encoding.UTF8.GetBytes(json)));
    }
}
