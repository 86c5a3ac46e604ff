using System.Globalization;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary><c>If-Match</c> with a list of entity tags, as HTTP allows: the write goes through when any of them is the
/// entry's current version, and is a 409 when none is.</summary>
public sealed class IfMatchListTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private readonly ApiFactory _api = new();

    private string Entry => $"{Base}/environments/{_api.EnvironmentId}/registries/{_api.RegistryId}";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [InlineData("\"{old}\", \"{current}\"")]
    [InlineData("\"{current}\", \"{old}\"")]
    [InlineData("\"{old}\",\"{current}\",\"{next}\"")]
    [InlineData(" , \"{current}\" ,")]
    [InlineData("\"{old}\",\t\"{current}\"")]
    public async Task Deactivate_ListHoldingTheCurrentVersion_Deactivates(string ifMatch)
    {
        var current = await VersionAsync();

        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member, ifMatch: Tags(ifMatch, current));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("inactive", response.Json.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Deactivate_ListWithoutTheCurrentVersion_Is409AndChangesNothing()
    {
        var current = await VersionAsync();

        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member, ifMatch: Tags("\"{old}\", \"{next}\", \"99\"", current));

        response.AssertProblem(409, "version-conflict");
        Assert.Equal(current, await VersionAsync());
    }

    [Fact]
    public async Task Edit_ListHoldingTheCurrentVersion_Edits()
    {
        var current = await VersionAsync();

        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "m@example.com", username = "listed", password = "pw" }, ifMatch: Tags("\"{next}\", \"{current}\"", current));

        Assert.Equal(200, response.Status);
        Assert.Equal("listed", response.Json.GetProperty("username").GetString());
    }

    [Fact]
    public async Task ActivateAndDelete_ListHoldingTheCurrentVersion_Work()
    {
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member)).Status);

        var activated = await _api.SendAsync(HttpMethod.Post, Entry + "/activate", ApiFactory.Member, ifMatch: Tags("\"{old}\", \"{current}\"", await VersionAsync()));
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member)).Status);
        var deleted = await _api.SendAsync(HttpMethod.Delete, Entry, ApiFactory.Member, ifMatch: Tags("\"{current}\", \"{next}\"", await VersionAsync()));

        Assert.Equal(200, activated.Status);
        Assert.Equal(200, deleted.Status);
        Assert.Equal("removed", deleted.Json.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Deactivate_Star_Deactivates()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member, ifMatch: "*");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Deactivate_ListByAReadOnlyMember_Is403()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.ReadOnly, ifMatch: Tags("\"{old}\", \"{current}\"", await VersionAsync()));

        response.AssertProblem(403, "permission-denied");
    }

    [Theory]
    [InlineData("\"{current}\", W/\"{current}\"")]
    [InlineData("W/\"{old}\", \"{current}\"")]
    [InlineData("*, \"{current}\"")]
    [InlineData("\"{current}\" \"{old}\"")]
    [InlineData("\"{current}\", three")]
    [InlineData("\"{current}\", \"0\"")]
    [InlineData("\"{current}")]
    [InlineData(" , ")]
    public async Task Deactivate_MalformedList_Is400AndChangesNothing(string ifMatch)
    {
        var current = await VersionAsync();

        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member, ifMatch: Tags(ifMatch, current));

        response.AssertProblem(400, "invalid-if-match");
        Assert.Equal("active", (await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member)).Json.GetProperty("state").GetString());
    }

    private static string Tags(string template, long current)
        => template
            .Replace("{current}", current.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{old}", (current - 1 < 1 ? current + 5 : current - 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{next}", (current + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private async Task<long> VersionAsync()
        => (await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member)).Json.GetProperty("version").GetInt64();
}
