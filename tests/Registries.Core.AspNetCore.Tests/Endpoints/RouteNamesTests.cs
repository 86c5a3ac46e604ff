using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>A name in the path is decoded once and checked as a name in a body is: <c>%2F</c>, which the server keeps
/// encoded in route values, is a <c>/</c> of the name, never the three characters <c>%2F</c>.</summary>
public sealed class RouteNamesTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private readonly ApiFactory _api = new();

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("team%2Falice", "team/alice")]
    [InlineData("team%2falice", "team/alice")]
    [InlineData("caf%C3%A9", "café")]
    public async Task SetMember_EncodedName_StoresTheDecodedName(string segment, string user)
    {
        var response = await _api.SendAsync(HttpMethod.Put, Env + "/members/" + segment, ApiFactory.Owner, new { role = "member" });

        Assert.Equal(200, response.Status);
        var users = response.Json.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()).ToArray();
        Assert.Contains(user, users);
        Assert.DoesNotContain(users, u => u!.Contains('%', StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoveMember_EncodedSlash_RemovesTheMemberOfThatName()
    {
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Put, Env + "/members/" + Uri.EscapeDataString("team/alice"), ApiFactory.Owner, new { role = "member" })).Status);

        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/team%2Falice", ApiFactory.Owner);

        Assert.Equal(200, response.Status);
        Assert.DoesNotContain(response.Json.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == "team/alice");
    }

    [Theory]
    [InlineData("PUT", "bad%09name")]
    [InlineData("DELETE", "bad%09name")]
    [InlineData("PUT", "%E2%80%AEevil")]
    [InlineData("DELETE", "%E2%80%8B")]
    public async Task Member_NameWithAControlOrInvisibleCharacter_Is400NamingUser(string method, string segment)
    {
        var response = await _api.SendAsync(new HttpMethod(method), Env + "/members/" + segment, ApiFactory.Owner, method == "PUT" ? new { role = "member" } : null);

        var detail = response.AssertProblem(400, "invalid-input");
        Assert.Equal("user", response.Json.GetProperty("field").GetString());
        Assert.Contains("The user in the path", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveMember_ValidNameOfNoMember_IsStill404MemberNotFound()
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/no%2Fone", ApiFactory.Owner);

        Assert.Contains("'no/one' is not a member", response.AssertProblem(404, "member-not-found"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRegistry_EncodedSlashInAnId_IsTheUsual404()
    {
        var response = await _api.SendAsync(HttpMethod.Get, $"{Env}/registries/{_api.RegistryId}%2Fx", ApiFactory.Owner);

        response.AssertProblem(404, "not-found");
    }
}
