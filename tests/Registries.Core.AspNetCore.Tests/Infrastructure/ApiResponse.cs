using System.Net.Http.Headers;
using System.Text.Json;

namespace Registries.Core.AspNetCore.Tests.Infrastructure;

/// <summary>What a test request got back.</summary>
public sealed class ApiResponse(int status, string body, string? mediaType, HttpResponseHeaders headers, HttpContentHeaders contentHeaders)
{
    public int Status { get; } = status;

    public string Body { get; } = body;

    public string? MediaType { get; } = mediaType;

    public HttpResponseHeaders Headers { get; } = headers;

    public HttpContentHeaders ContentHeaders { get; } = contentHeaders;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? ETag => Headers.ETag?.Tag;

    /// <summary>Checks that this is a ProblemDetails answer of the status and code, and returns its detail.</summary>
    public string AssertProblem(int status, string code)
    {
        Assert.True(Status == status, $"expected {status}, got {Status}: {Body}");
        Assert.Equal("application/problem+json", MediaType);
        var json = Json;
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.Equal("urn:registries:problem:" + code, json.GetProperty("type").GetString());
        Assert.Equal(code, json.GetProperty("code").GetString());
        var detail = json.GetProperty("detail").GetString()!;
        Assert.DoesNotContain('\n', detail);
        Assert.DoesNotContain("   at ", Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.Canary, Body, StringComparison.Ordinal);
        return detail;
    }

    public override string ToString() => $"{Status} {Body}";
}
