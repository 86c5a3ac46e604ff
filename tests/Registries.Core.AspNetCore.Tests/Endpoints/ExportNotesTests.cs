using System.Text.Json;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>What an export cannot hold is said in the <c>Registries-Export-Notes</c> header, never dropped silently, and
/// <c>?strict=true</c> refuses such an export (409 <c>export-refused</c>) as the CLI's <c>docker-config --strict</c> does.</summary>
public sealed class ExportNotesTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private const string NotesHeader = "Registries-Export-Notes";
    private readonly ApiFactory _api = new();

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task DockerConfig_PathAndPatternEntries_AreLeftOutWithANoteEach()
    {
        await AddAsync(ApiFactory.Address, "team");
        await AddAsync("*.corp.example", null);

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        var keys = response.Json.GetProperty("auths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal([ApiFactory.Address], keys);
        var notes = Notes(response);
        Assert.Equal(2, notes.Length);
        Assert.Contains(notes, n => n.StartsWith(ApiFactory.Address + "/team: not exported", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("*.corp.example: not exported", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DockerConfig_OnlyHostEntries_HasNoNotesHeader()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.False(response.Headers.Contains(NotesHeader));
    }

    [Fact]
    public async Task DockerConfig_Strict_WithAPathEntry_Is409ExportRefusedListingItAndExportsNothing()
    {
        await AddAsync(ApiFactory.Address, "team");
        await AddAsync("*.corp.example", null);

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config?strict=true", ApiFactory.Member);

        var detail = response.AssertProblem(409, "export-refused");
        Assert.Contains(ApiFactory.Address + "/team", detail, StringComparison.Ordinal);
        var scopes = response.Json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["*.corp.example", ApiFactory.Address + "/team"], scopes);
        Assert.DoesNotContain("auths", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("false")]
    public async Task DockerConfig_StrictWithNothingLeftOut_ExportsAsWithout(string strict)
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config?strict=" + strict, ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.True(response.Json.GetProperty("auths").TryGetProperty(ApiFactory.Address, out _));
    }

    [Fact]
    public async Task DockerConfig_StrictFalse_WithAPathEntry_ExportsWithTheNote()
    {
        await AddAsync(ApiFactory.Address, "team");

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config?strict=false", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.Single(Notes(response));
    }

    [Theory]
    [InlineData("docker-config")]
    [InlineData("kubernetes-secret")]
    public async Task Export_StrictNotABoolean_Is400NamingIt(string export)
    {
        var response = await _api.SendAsync(HttpMethod.Get, $"{Env}/exports/{export}?strict=yes", ApiFactory.Member);

        response.AssertProblem(400, "invalid-input");
        Assert.Equal("strict", response.Json.GetProperty("field").GetString());
    }

    [Fact]
    public async Task KubernetesSecret_HoldsPathsAndPatterns_WithoutANote()
    {
        await AddAsync(ApiFactory.Address, "team");
        await AddAsync("*.corp.example", null);

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/kubernetes-secret?strict=true", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.False(response.Headers.Contains(NotesHeader));
        var config = JsonDocument.Parse(Convert.FromBase64String(response.Json.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!)).RootElement;
        Assert.True(config.GetProperty("auths").TryGetProperty(ApiFactory.Address + "/team/", out _));
        Assert.True(config.GetProperty("auths").TryGetProperty("*.corp.example", out _));
    }

    [Fact]
    public async Task KubernetesSecret_InactivePathUnderTheExportedHost_IsNotedAndRefusedWhenStrict()
    {
        // The team entry denies team images; the Secret's host key would give them the host's credential.
        var team = await AddAsync(ApiFactory.Address, "team");
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, $"{Env}/registries/{team}/deactivate", ApiFactory.Member)).Status);

        var lenient = await _api.SendAsync(HttpMethod.Get, Env + "/exports/kubernetes-secret", ApiFactory.Member);
        var strict = await _api.SendAsync(HttpMethod.Get, Env + "/exports/kubernetes-secret?strict=true", ApiFactory.Member);

        Assert.Equal(200, lenient.Status);
        Assert.Contains("cannot express a denial", Assert.Single(Notes(lenient)), StringComparison.Ordinal);
        strict.AssertProblem(409, "export-refused");
        Assert.Equal([ApiFactory.Address + "/team"], strict.Json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    [Fact]
    public async Task KubernetesSecret_BadNameAndStrictRefusal_IsTheBadInputFirst()
    {
        await AddAsync("*.corp.example", null);
        var team = await AddAsync(ApiFactory.Address, "team");
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, $"{Env}/registries/{team}/deactivate", ApiFactory.Member)).Status);

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/kubernetes-secret?strict=true&name=Not_A_Name", ApiFactory.Member);

        response.AssertProblem(400, "invalid-input");
    }

    [Fact]
    public async Task DockerConfig_ManyNotes_TheHeaderIsBoundedAndSaysHowManyWereLeftOut()
    {
        for (var i = 0; i < 40; i++)
        {
            await AddAsync(ApiFactory.Address, "team-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        var header = Assert.Single(response.Headers.GetValues(NotesHeader));
        Assert.InRange(header.Length, 1, 2048);
        var notes = Notes(response);
        var shown = notes.Length - 1;
        Assert.InRange(shown, 1, 39);
        Assert.StartsWith($"{40 - shown} more note(s) left out", notes[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void ExportNotesOf_NonAsciiAndQuotes_AreEscapedToAsciiJson()
    {
        var header = RegistriesEndpoints.ExportNotesOf(["bücher.example/team: \"not\" exported", "second"])!;

        Assert.All(header, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(["bücher.example/team: \"not\" exported", "second"], JsonSerializer.Deserialize<string[]>(header)!);
        Assert.Null(RegistriesEndpoints.ExportNotesOf([]));
    }

    private async Task<string> AddAsync(string address, string? path)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address, path, email = "s@example.com", username = "scoped", password = "pw-scoped" });
        Assert.True(response.Status == 201, response.ToString());
        return response.Json.GetProperty("id").GetString()!;
    }

    private static string[] Notes(ApiResponse response)
    {
        Assert.True(response.Headers.TryGetValues(NotesHeader, out var values), $"no {NotesHeader} header");
        return JsonSerializer.Deserialize<string[]>(Assert.Single(values))!;
    }
}
