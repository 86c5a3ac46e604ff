using System.Text.Json;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>The OpenAPI document the application serves (AddOpenApi/MapOpenApi) describes every endpoint: its name,
/// summary, request body, response and problem answers.</summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private const string Env = "/api/registries/environments/{environmentId}";
    private const string Entry = Env + "/registries/{registryId}";

    private readonly ApiFactory _api = new();

    public static TheoryData<string, string, string, string, string?, string> Operations => new()
    {
        // path, method, operationId, success status, request body schema (null: none), problem statuses
        { "/api/registries/environments", "get", "ListEnvironments", "200", null, "401 503" },
        { "/api/registries/environments", "post", "CreateEnvironment", "201", "CreateEnvironmentRequest", "400 401 403 409 413 415 503" },
        { Env, "get", "GetEnvironment", "200", null, "401 404 503" },
        { Env + "/members/{user}", "put", "SetMember", "200", "SetMemberRequest", "400 401 403 404 409 413 415 503" },
        { Env + "/members/{user}", "delete", "RemoveMember", "200", null, "400 401 403 404 409 415 503" },
        { Env + "/registries", "get", "ListRegistries", "200", null, "401 404 409 503" },
        { Env + "/registries", "post", "AddRegistry", "201", "AddRegistryRequest", "400 401 403 404 409 413 415 503" },
        { Entry, "get", "GetRegistry", "200", null, "401 404 409 503" },
        { Entry, "put", "EditRegistry", "200", "EditRegistryRequest", "400 401 403 404 409 413 415 503" },
        { Entry + "/deactivate", "post", "DeactivateRegistry", "200", null, "400 401 403 404 409 415 503" },
        { Entry + "/activate", "post", "ActivateRegistry", "200", null, "400 401 403 404 409 415 503" },
        { Entry + "/refresh", "post", "RefreshRegistry", "200", null, "400 401 403 404 409 415 503" },
        { Entry, "delete", "DeleteRegistry", "200", null, "400 401 403 404 409 415 503" },
        { Env + "/resolve", "get", "Resolve", "200", null, "400 401 403 404 409 503" },
        { Env + "/explain", "get", "Explain", "200", null, "400 401 404 409 503" },
        { Env + "/exports/docker-config", "get", "ExportDockerConfig", "200", null, "400 401 403 404 409 503" },
        { Env + "/exports/kubernetes-secret", "get", "ExportKubernetesSecret", "200", null, "400 401 403 404 409 503" },
        { Env + "/policy", "get", "GetPolicy", "200", null, "401 404 409 503" },
        { Env + "/policy/rules", "post", "SetPolicyRule", "200", "SetPolicyRuleRequest", "400 401 403 404 409 413 415 503" },
        { Env + "/policy/rules", "delete", "RemovePolicyRule", "200", null, "400 401 403 404 409 415 503" },
        { Env + "/mirrors", "get", "ListMirrors", "200", null, "401 404 409 503" },
        { Env + "/mirrors", "post", "AddMirror", "200", "AddMirrorRequest", "400 401 403 404 409 413 415 503" },
        { Env + "/mirrors", "delete", "RemoveMirror", "200", null, "400 401 403 404 409 415 503" },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Document_Operation_IsDescribedWithItsStatusCodes(string path, string method, string operationId, string success, string? requestSchema, string problems)
    {
        var document = await DocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var responses = operation.GetProperty("responses");
        Assert.True(responses.TryGetProperty(success, out var ok), $"{method} {path} has no {success} response");
        Assert.True(ok.TryGetProperty("content", out var okContent) && okContent.TryGetProperty("application/json", out _), $"{method} {path} {success} is not JSON");
        foreach (var status in problems.Split(' '))
        {
            Assert.True(responses.TryGetProperty(status, out var problem), $"{method} {path} does not describe {status}");
            Assert.True(problem.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} {status} is not a ProblemDetails");
        }

        if (requestSchema is null)
        {
            Assert.False(operation.TryGetProperty("requestBody", out _), $"{method} {path} should take no body");
        }
        else
        {
            var schema = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.EndsWith("/" + requestSchema, schema.GetProperty("$ref").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Document_DescribesNoOtherOperation()
    {
        var document = await DocumentAsync();

        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => p.Name + " " + m.Name))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var expected = Operations.Select(row => (string)row[0] + " " + (string)row[1]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, described);
    }

    [Theory]
    [InlineData("docker-config")]
    [InlineData("kubernetes-secret")]
    public async Task Document_Exports_DescribeStrictAndTheNotesHeader(string export)
    {
        var document = await DocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(Env + "/exports/" + export).GetProperty("get");
        Assert.Contains(operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "strict" && p.GetProperty("in").GetString() == "query");
        Assert.Contains("Registries-Export-Notes", operation.GetProperty("responses").GetProperty("200").GetProperty("description").GetString(), StringComparison.Ordinal);
        var description = operation.GetProperty("description").GetString();
        Assert.Contains("Registries-Export-Notes", description, StringComparison.Ordinal);
        Assert.Contains("strict=true", description, StringComparison.Ordinal);
        Assert.Contains("409 export-refused", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_AddRegistryRequest_HasThePasswordAndNoResponseDoes()
    {
        var document = await DocumentAsync();

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var add = schemas.GetProperty("AddRegistryRequest").GetProperty("properties");
        Assert.True(add.TryGetProperty("password", out _));
        Assert.True(add.TryGetProperty("address", out _));
        var registry = schemas.GetProperty("RegistryDocument").GetProperty("properties");
        Assert.False(registry.TryGetProperty("password", out _));
        Assert.True(registry.TryGetProperty("effective", out _));
        Assert.True(registry.TryGetProperty("overridden", out _));
        Assert.True(registry.TryGetProperty("version", out _));
        Assert.True(registry.TryGetProperty("scope", out _));
        Assert.True(registry.TryGetProperty("path", out _));
        Assert.True(add.TryGetProperty("path", out _));
        foreach (var field in new[] { "source", "sourceName", "expiresAt", "identityToken" })
        {
            Assert.True(add.TryGetProperty(field, out _), $"AddRegistryRequest has no {field}");
            Assert.True(schemas.GetProperty("EditRegistryRequest").GetProperty("properties").TryGetProperty(field, out _), $"EditRegistryRequest has no {field}");
        }

        foreach (var field in new[] { "source", "sourceName", "expiresAt" })
        {
            Assert.True(registry.TryGetProperty(field, out _), $"RegistryDocument has no {field}");
            Assert.True(schemas.GetProperty("ResolutionDocument").GetProperty("properties").TryGetProperty(field, out _), $"ResolutionDocument has no {field}");
        }

        Assert.False(registry.TryGetProperty("identityToken", out _));
        Assert.False(schemas.GetProperty("ResolutionDocument").GetProperty("properties").TryGetProperty("identityToken", out _));
    }

    [Fact]
    public async Task Document_ExplanationDocument_HasItsCandidatesAndNoPassword()
    {
        var document = await DocumentAsync();

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var explanation = schemas.GetProperty("ExplanationDocument").GetProperty("properties");
        Assert.True(explanation.TryGetProperty("candidates", out _));
        Assert.True(explanation.TryGetProperty("scope", out _));
        var candidate = schemas.GetProperty("CandidateDocument").GetProperty("properties");
        Assert.True(candidate.TryGetProperty("verdict", out _));
        Assert.True(candidate.TryGetProperty("reason", out _));
        Assert.False(candidate.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task Document_PolicyAndMirrors_DescribeTheirSchemasAndQueryParameters()
    {
        var document = await DocumentAsync();

        var schemas = document.GetProperty("components").GetProperty("schemas");
        AssertProperties(schemas, "SetPolicyRuleRequest", "effect", "scope", "digestOnly");
        AssertProperties(schemas, "PolicyDocument", "environmentId", "uncovered", "rules");
        AssertProperties(schemas, "PolicyRuleDocument", "scope", "effect", "digestOnly");
        AssertProperties(schemas, "AddMirrorRequest", "upstream", "mirror", "rewrite", "mirrorOnly");
        AssertProperties(schemas, "MirrorRewriteRequest", "pattern", "replacement");
        AssertProperties(schemas, "MirrorsDocument", "environmentId", "upstreams");
        AssertProperties(schemas, "UpstreamMirrorsDocument", "upstream", "fallsBackToUpstream", "mirrors");
        AssertProperties(schemas, "MirrorDocument", "address", "rewrite", "mirrorOnly");
        AssertProperties(schemas, "MirrorRewriteDocument", "pattern", "replacement");
        AssertProperties(schemas, "ResolutionDocument", "policy", "mirrors", "fallsBackToUpstream");
        AssertProperties(schemas, "PolicyVerdictDocument", "allowed", "effect", "scope", "digestOnly");
        AssertProperties(schemas, "MirrorSourceDocument", "address", "image", "outcome", "username", "registryId", "reason");
        Assert.False(schemas.GetProperty("MirrorSourceDocument").GetProperty("properties").TryGetProperty("password", out _));

        var paths = document.GetProperty("paths");
        Assert.Equal(["scope"], QueryParameters(paths.GetProperty(Env + "/policy/rules").GetProperty("delete")));
        Assert.Equal(["mirror", "upstream"], QueryParameters(paths.GetProperty(Env + "/mirrors").GetProperty("delete")));
        foreach (var (path, method) in new[] { ("/policy/rules", "post"), ("/policy/rules", "delete"), ("/mirrors", "post"), ("/mirrors", "delete") })
        {
            Assert.False(string.IsNullOrWhiteSpace(paths.GetProperty(Env + path).GetProperty(method).GetProperty("description").GetString()), $"{method} {path} has no description");
        }

        Assert.Contains("'policy'", paths.GetProperty(Env + "/resolve").GetProperty("get").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("'mirrors'", paths.GetProperty(Env + "/resolve").GetProperty("get").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static void AssertProperties(JsonElement schemas, string schema, params string[] names)
    {
        Assert.True(schemas.TryGetProperty(schema, out var found), $"The document has no schema {schema}");
        var properties = found.GetProperty("properties");
        foreach (var name in names)
        {
            Assert.True(properties.TryGetProperty(name, out _), $"{schema} has no {name}");
        }
    }

    private static string[] QueryParameters(JsonElement operation)
        => [.. operation.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query")
            .Select(p => p.GetProperty("name").GetString()!)
            .Order(StringComparer.Ordinal)];

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = _api.CreateClient();
        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, response.ToString());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
