using System.Text;
using System.Text.Json;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>Every endpoint through <c>WebApplicationFactory</c>: its success, and the errors its rules give.</summary>
public sealed class RegistriesEndpointsTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private readonly ApiFactory _api = new();

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    private string Entry => $"{Env}/registries/{_api.RegistryId}";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync()
    {
        // Nothing the API answered, and nothing it logged, holds the canary password (the exports aside).
        Assert.DoesNotContain(_api.Logs.GetSnapshot(), r => (r.Message + r.Exception).Contains(ApiFactory.Canary, StringComparison.Ordinal));
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task ListEnvironments_Member_ReturnsTheEnvironmentsTheCallerIsAMemberOf()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Base + "/environments", ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        var environments = response.Json.EnumerateArray().ToArray();
        var prod = Assert.Single(environments);
        Assert.Equal("prod", prod.GetProperty("name").GetString());
        Assert.Equal("cattle", prod.GetProperty("orchestration").GetString());
        Assert.Contains(prod.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == ApiFactory.ReadOnly && m.GetProperty("role").GetString() == "readonly");
    }

    [Fact]
    public async Task ListEnvironments_Anonymous_Is401BeforeAnyStoreRead()
    {
        var before = _api.Store.Calls;

        var response = await _api.SendAsync(HttpMethod.Get, Base + "/environments", user: null);

        response.AssertProblem(401, "unauthenticated");
        Assert.Equal(before, _api.Store.Calls);
    }

    [Fact]
    public async Task CreateEnvironment_NewName_Is201AndTheCallerIsOwner()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Base + "/environments", ApiFactory.Outsider, new { name = "staging", orchestration = "cattle" });

        Assert.Equal(201, response.Status);
        var id = response.Json.GetProperty("id").GetString();
        Assert.EndsWith("/environments/" + id, response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var member = Assert.Single(response.Json.GetProperty("members").EnumerateArray());
        Assert.Equal("owner", member.GetProperty("role").GetString());
        Assert.Equal(ApiFactory.Outsider, member.GetProperty("user").GetString());
    }

    [Fact]
    public async Task CreateEnvironment_DuplicateName_Is409()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Base + "/environments", ApiFactory.Owner, new { name = "prod" });

        response.AssertProblem(409, "duplicate-name");
    }

    [Fact]
    public async Task CreateEnvironment_UnknownOrchestration_Is400NamingTheField()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Base + "/environments", ApiFactory.Owner, new { name = "x", orchestration = "nomad" });

        var detail = response.AssertProblem(400, "invalid-input");
        Assert.Contains("orchestration", detail, StringComparison.Ordinal);
        Assert.Equal("orchestration", response.Json.GetProperty("field").GetString());
    }

    [Fact]
    public async Task CreateEnvironment_MissingName_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Base + "/environments", ApiFactory.Owner, new { orchestration = "cattle" });

        Assert.Contains("'name'", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEnvironment_Member_ShowsItsMembers()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env, ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.Equal(3, response.Json.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task GetEnvironment_NonMember_Is404ExactlyAsAnUnknownId()
    {
        var outsider = await _api.SendAsync(HttpMethod.Get, Env, ApiFactory.Outsider);
        var unknown = await _api.SendAsync(HttpMethod.Get, Base + "/environments/no-such-env", ApiFactory.Outsider);

        var outsiderDetail = outsider.AssertProblem(404, "not-found");
        var unknownDetail = unknown.AssertProblem(404, "not-found");
        Assert.Equal(unknownDetail.Replace("no-such-env", "ID", StringComparison.Ordinal), outsiderDetail.Replace(_api.EnvironmentId, "ID", StringComparison.Ordinal));
        Assert.Equal(Shape(unknown.Json), Shape(outsider.Json));
    }

    [Fact]
    public async Task SetMember_Owner_AddsAMemberAndChangesARole()
    {
        var added = await _api.SendAsync(HttpMethod.Put, Env + "/members/nina", ApiFactory.Owner, new { role = "member" });
        var changed = await _api.SendAsync(HttpMethod.Put, Env + "/members/nina", ApiFactory.Owner, new { role = "readOnly" });

        Assert.Equal(200, added.Status);
        Assert.Equal(200, changed.Status);
        Assert.Contains(changed.Json.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == "nina" && m.GetProperty("role").GetString() == "readonly");
    }

    [Fact]
    public async Task SetMember_Member_Is403()
    {
        var response = await _api.SendAsync(HttpMethod.Put, Env + "/members/nina", ApiFactory.Member, new { role = "member" });

        response.AssertProblem(403, "permission-denied");
    }

    [Fact]
    public async Task SetMember_LastOwnerDemoted_Is409()
    {
        var response = await _api.SendAsync(HttpMethod.Put, Env + "/members/" + ApiFactory.Owner, ApiFactory.Owner, new { role = "member" });

        Assert.Contains("last Owner", response.AssertProblem(409, "refused"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("0")]
    [InlineData("")]
    public async Task SetMember_UnknownRole_Is400(string role)
    {
        var response = await _api.SendAsync(HttpMethod.Put, Env + "/members/nina", ApiFactory.Owner, new { role });

        response.AssertProblem(400, "invalid-input");
    }

    [Fact]
    public async Task AddRegistry_Custom_Is201WithETagAndNoPassword()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = "10.0.0.5:5000", email = "m@example.com", username = "mike", password = ApiFactory.Canary });

        Assert.Equal(201, response.Status);
        var json = response.Json;
        Assert.Equal("10.0.0.5:5000", json.GetProperty("address").GetString());
        Assert.Equal("custom", json.GetProperty("kind").GetString());
        Assert.Equal("active", json.GetProperty("state").GetString());
        Assert.True(json.GetProperty("effective").GetBoolean());
        Assert.Equal($"\"{json.GetProperty("version").GetInt64()}\"", response.ETag);
        Assert.EndsWith("/registries/" + json.GetProperty("id").GetString(), response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.Canary, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("password", response.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("dockerHub", "docker.io")]
    [InlineData("quay", "quay.io")]
    public async Task AddRegistry_FixedAddressKinds_UseTheirAddress(string kind, string address)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind, email = "o@example.com", username = "o", password = "pw" });

        Assert.Equal(201, response.Status);
        Assert.Equal(address, response.Json.GetProperty("address").GetString());
        Assert.Equal(kind, response.Json.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AddRegistry_DockerHubWithAnAddress_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind = "dockerHub", address = "example.com", email = "o@example.com", username = "o", password = "pw" });

        Assert.Contains("fixed address", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRegistry_CustomWithoutAddress_Is400NamingAddress()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind = "custom", email = "o@example.com", username = "o", password = "pw" });

        Assert.Contains("'address'", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRegistry_AddressWithScheme_Is400ShowingTheCorrectedForm()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind = "custom", address = "https://registry.example.com:5000", email = "o@example.com", username = "o", password = ApiFactory.Canary });

        var detail = response.AssertProblem(400, "invalid-address");
        Assert.Contains("registry.example.com:5000", detail, StringComparison.Ordinal);
        Assert.Equal("address", response.Json.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AddRegistry_WithoutPassword_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind = "quay", email = "o@example.com", username = "o" });

        Assert.Contains("'password'", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRegistry_UnknownField_Is400NamingTheField()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind = "quay", email = "o@example.com", username = "o", password = ApiFactory.Canary, passwd = ApiFactory.Canary });

        Assert.Contains("'passwd'", response.AssertProblem(400, "unknown-field"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRegistry_WrongType_Is400NamingTheFieldWithoutEchoingTheBody()
    {
        var body = $$"""{"kind":"quay","email":["{{ApiFactory.Canary}}"],"username":"o","password":"{{ApiFactory.Canary}}"}""";

        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner, rawBody: body);

        Assert.Contains("'email'", response.AssertProblem(400, "invalid-json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRegistry_MalformedJson_Is400WithoutEchoingTheBody()
    {
        var body = $$"""{"kind":"quay","password":"{{ApiFactory.Canary}}" "x"}""";

        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner, rawBody: body);

        response.AssertProblem(400, "invalid-json");
    }

    [Fact]
    public async Task AddRegistry_HugeBody_Is413()
    {
        var body = "{\"kind\":\"quay\",\"email\":\"" + new string('a', 1024 * 1024) + "\"}";

        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner, rawBody: body);

        response.AssertProblem(413, "body-too-large");
    }

    [Fact]
    public async Task AddRegistry_NotJson_Is415()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner, rawBody: "kind=quay", contentType: "application/x-www-form-urlencoded");

        response.AssertProblem(415, "unsupported-media-type");
    }

    [Fact]
    public async Task AddRegistry_ReadOnlyMember_Is403()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.ReadOnly,
            new { kind = "quay", email = "r@example.com", username = "r", password = ApiFactory.Canary });

        response.AssertProblem(403, "permission-denied");
    }

    [Fact]
    public async Task AddRegistry_NonMember_Is404()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Outsider,
            new { kind = "quay", email = "r@example.com", username = "r", password = "pw" });

        response.AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task AddRegistry_KubernetesEnvironment_Is409NamingTheOrchestration()
    {
        var response = await _api.SendAsync(HttpMethod.Post, $"{Base}/environments/{_api.KubernetesEnvironmentId}/registries", ApiFactory.Owner,
            new { kind = "quay", email = "r@example.com", username = "r", password = "pw" });

        Assert.Contains("Kubernetes", response.AssertProblem(409, "unsupported-orchestration"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListRegistries_SecondCredentialForAnAddress_MarksTheFirstOverridden()
    {
        var second = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = ApiFactory.Address, email = "m@example.com", username = "mike", password = "pw2" });

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        var entries = response.Json.EnumerateArray().ToArray();
        Assert.Equal(2, entries.Length);
        Assert.Equal(_api.RegistryId, entries[0].GetProperty("id").GetString());
        Assert.True(entries[0].GetProperty("overridden").GetBoolean());
        Assert.False(entries[0].GetProperty("effective").GetBoolean());
        Assert.Equal(second.Json.GetProperty("id").GetString(), entries[1].GetProperty("id").GetString());
        Assert.True(entries[1].GetProperty("effective").GetBoolean());
    }

    [Fact]
    public async Task GetRegistry_Member_ShowsTheEntryWithItsVersionAsETag()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        Assert.Equal(ApiFactory.Address, response.Json.GetProperty("address").GetString());
        Assert.Equal("ci", response.Json.GetProperty("username").GetString());
        Assert.Equal("ci@example.com", response.Json.GetProperty("email").GetString());
        Assert.Equal($"\"{response.Json.GetProperty("version").GetInt64()}\"", response.ETag);
    }

    [Fact]
    public async Task GetRegistry_UnknownId_Is404()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/registries/no-such-registry", ApiFactory.Member);

        response.AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task GetRegistry_NonMember_Is404ExactlyAsAnUnknownEnvironment()
    {
        var outsider = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Outsider);
        var unknown = await _api.SendAsync(HttpMethod.Get, $"{Base}/environments/no-such-env/registries/{_api.RegistryId}", ApiFactory.Outsider);

        Assert.Equal(
            unknown.AssertProblem(404, "not-found").Replace("no-such-env", "ID", StringComparison.Ordinal),
            outsider.AssertProblem(404, "not-found").Replace(_api.EnvironmentId, "ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EditRegistry_WithCurrentVersion_ChangesTheIdentityAndBumpsTheVersion()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member);

        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "new@example.com", username = "new", password = "new-pw" }, ifMatch: read.ETag);

        Assert.Equal(200, response.Status);
        Assert.Equal("new", response.Json.GetProperty("username").GetString());
        Assert.Equal(ApiFactory.Address, response.Json.GetProperty("address").GetString());
        Assert.NotEqual(read.ETag, response.ETag);
    }

    [Fact]
    public async Task EditRegistry_StaleVersion_Is409AndChangesNothing()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member);
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Owner, new { email = "o@example.com", username = "first", password = "pw" }, ifMatch: read.ETag)).Status);

        var stale = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "m@example.com", username = "second", password = "pw" }, ifMatch: read.ETag);

        Assert.Contains("nothing was written. Read it again", stale.AssertProblem(409, "version-conflict"), StringComparison.Ordinal);
        Assert.Equal("first", (await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member)).Json.GetProperty("username").GetString());
    }

    [Fact]
    public async Task EditRegistry_IfMatchAny_Edits()
    {
        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "m@example.com", username = "any", password = "pw" }, ifMatch: "*");

        Assert.Equal(200, response.Status);
        Assert.Equal("any", response.Json.GetProperty("username").GetString());
    }

    [Theory]
    [InlineData("3")]
    [InlineData("\"three\"")]
    [InlineData("W/\"1\"")]
    public async Task EditRegistry_MalformedIfMatch_Is400(string ifMatch)
    {
        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "m@example.com", username = "m", password = "pw" }, ifMatch: ifMatch);

        response.AssertProblem(400, "invalid-if-match");
    }

    [Fact]
    public async Task EditRegistry_WithoutPassword_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "m@example.com", username = "m" });

        Assert.Contains("'password'", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditRegistry_AddressField_Is400UnknownField()
    {
        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { address = "other.example.com", email = "m@example.com", username = "m", password = ApiFactory.Canary });

        response.AssertProblem(400, "unknown-field");
    }

    [Fact]
    public async Task EditRegistry_ReadOnlyMember_Is403EvenWithAVersion()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.ReadOnly);

        var response = await _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.ReadOnly, new { email = "r@example.com", username = "r", password = "pw" }, ifMatch: read.ETag);

        response.AssertProblem(403, "permission-denied");
    }

    [Fact]
    public async Task Lifecycle_DeactivateResolveActivateByAnotherMemberDelete_FollowsTheRules()
    {
        var deactivated = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Owner);
        Assert.Equal(200, deactivated.Status);
        Assert.Equal("inactive", deactivated.Json.GetProperty("state").GetString());
        Assert.True(deactivated.Json.GetProperty("effective").GetBoolean());

        var denied = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/app:1"), ApiFactory.Member);
        Assert.Equal(200, denied.Status);
        Assert.Equal("denied", denied.Json.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrEmpty(denied.Json.GetProperty("reason").GetString()));

        (await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Owner)).AssertProblem(409, "invalid-state");

        var activated = await _api.SendAsync(HttpMethod.Post, Entry + "/activate", ApiFactory.Member);
        Assert.Equal(200, activated.Status);
        Assert.Equal("active", activated.Json.GetProperty("state").GetString());

        Assert.Contains("deactivate it first", (await _api.SendAsync(HttpMethod.Delete, Entry, ApiFactory.Owner)).AssertProblem(409, "invalid-state"), StringComparison.Ordinal);

        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member)).Status);
        var deleted = await _api.SendAsync(HttpMethod.Delete, Entry, ApiFactory.Member);
        Assert.Equal(200, deleted.Status);
        Assert.Equal("removed", deleted.Json.GetProperty("state").GetString());
        Assert.False(deleted.Json.GetProperty("effective").GetBoolean());

        var anonymous = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/app:1"), ApiFactory.Member);
        Assert.Equal("anonymous", anonymous.Json.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Deactivate_StaleVersion_Is409()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member);
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Owner)).Status);
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry + "/activate", ApiFactory.Owner)).Status);

        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member, ifMatch: read.ETag);

        response.AssertProblem(409, "version-conflict");
    }

    [Theory]
    [InlineData("POST", "/deactivate")]
    [InlineData("POST", "/activate")]
    [InlineData("DELETE", "")]
    public async Task StateChanges_ReadOnlyMember_Is403(string method, string suffix)
    {
        var response = await _api.SendAsync(new HttpMethod(method), Entry + suffix, ApiFactory.ReadOnly);

        response.AssertProblem(403, "permission-denied");
    }

    [Fact]
    public async Task Resolve_ConfiguredAddress_IsAuthenticatedWithoutThePassword()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/app"), ApiFactory.Member);

        Assert.Equal(200, response.Status);
        var json = response.Json;
        Assert.Equal("authenticated", json.GetProperty("outcome").GetString());
        Assert.Equal("ci", json.GetProperty("username").GetString());
        Assert.Equal(_api.RegistryId, json.GetProperty("registryId").GetString());
        Assert.Equal(ApiFactory.Address + "/team/app", json.GetProperty("image").GetString());
        Assert.Equal(ApiFactory.Address, json.GetProperty("address").GetString());
        Assert.DoesNotContain(ApiFactory.Canary, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_UnconfiguredAddress_IsAnonymous()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=ubuntu", ApiFactory.Owner);

        Assert.Equal("anonymous", response.Json.GetProperty("outcome").GetString());
        Assert.Equal("docker.io/library/ubuntu", response.Json.GetProperty("image").GetString());
    }

    [Fact]
    public async Task Resolve_WithoutImage_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve", ApiFactory.Owner);

        Assert.Contains("'image'", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_UppercaseImage_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=Ubuntu", ApiFactory.Owner);

        response.AssertProblem(400, "invalid-input");
    }

    [Fact]
    public async Task Resolve_ReadOnlyMember_Is403()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=ubuntu", ApiFactory.ReadOnly);

        response.AssertProblem(403, "permission-denied");
    }

    [Fact]
    public async Task ExportDockerConfig_Member_GetsTheCredentialWithNoStore()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/docker-config", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var auth = response.Json.GetProperty("auths").GetProperty(ApiFactory.Address).GetProperty("auth").GetString()!;
        Assert.Equal("ci:" + ApiFactory.Canary, Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
    }

    [Fact]
    public async Task ExportKubernetesSecret_Owner_GetsASecretWithNoStore()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/kubernetes-secret?name=regcred&namespace=apps", ApiFactory.Owner);

        Assert.Equal(200, response.Status);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var json = response.Json;
        Assert.Equal("Secret", json.GetProperty("kind").GetString());
        Assert.Equal("kubernetes.io/dockerconfigjson", json.GetProperty("type").GetString());
        Assert.Equal("regcred", json.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("apps", json.GetProperty("metadata").GetProperty("namespace").GetString());
    }

    [Fact]
    public async Task ExportKubernetesSecret_InvalidName_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/exports/kubernetes-secret?name=Not_A_Name", ApiFactory.Owner);

        response.AssertProblem(400, "invalid-input");
    }

    [Theory]
    [InlineData("/exports/docker-config")]
    [InlineData("/exports/kubernetes-secret")]
    public async Task Exports_ReadOnlyMember_Is403(string path)
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + path, ApiFactory.ReadOnly);

        response.AssertProblem(403, "permission-denied");
        Assert.DoesNotContain(ApiFactory.Canary, response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/exports/docker-config")]
    [InlineData("/exports/kubernetes-secret")]
    public async Task Exports_NonMember_Is404(string path)
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + path, ApiFactory.Outsider);

        response.AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task StoreFailure_Is503WithoutTheStoresMessage_AndIsLogged()
    {
        _api.Store.Failure = () => new RegistryStoreException("database db.internal:5432 refused the connection");

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.Member);

        var detail = response.AssertProblem(503, "store-unavailable");
        Assert.DoesNotContain("db.internal", detail, StringComparison.Ordinal);
        Assert.Contains(_api.Logs.GetSnapshot(), r => r.Message.Contains("db.internal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnexpectedFailure_Is500Generic_LoggedWithoutItsMessage()
    {
        _api.Store.Failure = () => new InvalidOperationException("boom " + ApiFactory.Canary);

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.Member);

        response.AssertProblem(500, "internal-error");
        Assert.DoesNotContain("boom", response.Body, StringComparison.Ordinal);
        var logged = Assert.Single(_api.Logs.GetSnapshot(), r => r.Message.Contains(nameof(InvalidOperationException), StringComparison.Ordinal));
        Assert.Null(logged.Exception);
    }

    public static TheoryData<string> BugExceptions => new() { nameof(ArgumentException), nameof(ArgumentOutOfRangeException), nameof(ArgumentNullException), nameof(FormatException) };

    [Theory]
    [MemberData(nameof(BugExceptions))]
    public async Task BugThrowingAnArgumentOrFormatException_Is500Generic_NeverAClientError(string type)
    {
        // A store double with a bug: the exception types the API once took for bad input (400 naming the "field").
        _api.Store.Failure = () => type switch
        {
            nameof(ArgumentException) => new ArgumentException("bad state " + ApiFactory.Canary, "environmentId"),
            nameof(ArgumentOutOfRangeException) => new ArgumentOutOfRangeException("sequence", "bad state " + ApiFactory.Canary),
            nameof(ArgumentNullException) => new ArgumentNullException("record", "bad state " + ApiFactory.Canary),
            _ => new FormatException("bad state " + ApiFactory.Canary),
        };

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.Member);

        var detail = response.AssertProblem(500, "internal-error");
        Assert.StartsWith("An unexpected error occurred", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("bad state", response.Body, StringComparison.Ordinal);
        Assert.False(response.Json.TryGetProperty("field", out _));
        var logged = Assert.Single(_api.Logs.GetSnapshot(), r => r.Message.Contains("Unexpected System." + type, StringComparison.Ordinal));
        Assert.Null(logged.Exception);
    }

    [Fact]
    public async Task EveryNonExportResponse_OfAFullSession_HoldsNoPassword()
    {
        var bodies = new List<string>();
        async Task Send(HttpMethod method, string path, string user, object? json = null)
            => bodies.Add((await _api.SendAsync(method, path, user, json)).Body);

        await Send(HttpMethod.Get, Base + "/environments", ApiFactory.Owner);
        await Send(HttpMethod.Get, Env, ApiFactory.Owner);
        await Send(HttpMethod.Get, Env + "/registries", ApiFactory.Owner);
        await Send(HttpMethod.Get, Entry, ApiFactory.Owner);
        await Send(HttpMethod.Put, Entry, ApiFactory.Owner, new { email = "o@example.com", username = "o", password = ApiFactory.Canary + "-2" });
        await Send(HttpMethod.Put, Entry, ApiFactory.ReadOnly, new { email = "o@example.com", username = "o", password = ApiFactory.Canary });
        await Send(HttpMethod.Post, Env + "/registries", ApiFactory.Member, new { kind = "custom", address = "bad address", email = "m@example.com", username = "m", password = ApiFactory.Canary });
        await Send(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/a"), ApiFactory.Owner);
        await Send(HttpMethod.Post, Env + "/registries", ApiFactory.Member, new { kind = "custom", address = ApiFactory.Address, path = "team", email = "t@example.com", username = "t", password = ApiFactory.Canary + "-team" });
        await Send(HttpMethod.Post, Env + "/registries", ApiFactory.Member, new { kind = "custom", address = ApiFactory.Address, path = "Bad Path", email = "t@example.com", username = "t", password = ApiFactory.Canary });
        await Send(HttpMethod.Get, Env + "/explain?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/a"), ApiFactory.ReadOnly);
        await Send(HttpMethod.Delete, Env + "/members/" + ApiFactory.ReadOnly, ApiFactory.Owner);
        await Send(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Owner);
        await Send(HttpMethod.Delete, Entry, ApiFactory.Owner);

        Assert.All(bodies, body => Assert.DoesNotContain(ApiFactory.Canary, body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RemoveMember_Owner_RemovesTheMemberWhoLosesAccessAtOnce()
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/" + ApiFactory.Member, ApiFactory.Owner);

        Assert.Equal(200, response.Status);
        Assert.DoesNotContain(response.Json.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == ApiFactory.Member);
        (await _api.SendAsync(HttpMethod.Get, Env, ApiFactory.Member)).AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task RemoveMember_UserWhoIsNotAMember_Is404MemberNotFoundAndWritesNothing()
    {
        var before = (await _api.SendAsync(HttpMethod.Get, Env, ApiFactory.Owner)).Json.GetProperty("version").GetInt64();

        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/nobody", ApiFactory.Owner);

        var detail = response.AssertProblem(404, "member-not-found");
        Assert.Contains("'nobody' is not a member", detail, StringComparison.Ordinal);
        Assert.Equal("user", response.Json.GetProperty("field").GetString());
        Assert.Equal(before, (await _api.SendAsync(HttpMethod.Get, Env, ApiFactory.Owner)).Json.GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData(ApiFactory.ReadOnly)]
    [InlineData("nobody")]
    public async Task RemoveMember_MemberCaller_Is403WhoeverTheUser(string user)
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/" + user, ApiFactory.Member);

        response.AssertProblem(403, "permission-denied");
    }

    [Fact]
    public async Task RemoveMember_NonMemberCaller_Is404ExactlyAsAnUnknownEnvironment()
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/" + ApiFactory.Member, ApiFactory.Outsider);
        var unknown = await _api.SendAsync(HttpMethod.Delete, Base + "/environments/no-such-env/members/" + ApiFactory.Member, ApiFactory.Outsider);

        response.AssertProblem(404, "not-found");
        unknown.AssertProblem(404, "not-found");
        Assert.Equal(Shape(unknown.Json), Shape(response.Json));
    }

    [Fact]
    public async Task RemoveMember_LastOwner_Is409Refused()
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Env + "/members/" + ApiFactory.Owner, ApiFactory.Owner);

        var detail = response.AssertProblem(409, "refused");
        Assert.Contains("last Owner", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditRegistry_TwoWritersWithTheSameIfMatch_OneWinsTheOtherIs409AndNothingIsLost()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member);
        var version = read.Json.GetProperty("version").GetInt64();

        // Both writers pass every check before either writes: only the store's own version check can tell them apart.
        _api.Store.UpdateGate = new WriterGate(2, TimeSpan.FromSeconds(20));
        var writes = await Task.WhenAll(
            _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Owner, new { email = "o@example.com", username = "olivia-writes", password = "pw-o" }, ifMatch: read.ETag),
            _api.SendAsync(HttpMethod.Put, Entry, ApiFactory.Member, new { email = "m@example.com", username = "mike-writes", password = "pw-m" }, ifMatch: read.ETag));
        _api.Store.UpdateGate = null;

        var winner = Assert.Single(writes, w => w.Status == 200);
        var loser = Assert.Single(writes, w => w.Status != 200);
        loser.AssertProblem(409, "version-conflict");
        var now = await _api.SendAsync(HttpMethod.Get, Entry, ApiFactory.Member);
        Assert.Equal(version + 1, now.Json.GetProperty("version").GetInt64());
        Assert.Equal(winner.Json.GetProperty("username").GetString(), now.Json.GetProperty("username").GetString());
        Assert.Equal(winner.ETag, now.ETag);
    }

    [Fact]
    public async Task Deactivate_VersionZero_Is400InvalidIfMatch()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Member, ifMatch: "\"0\"");

        response.AssertProblem(400, "invalid-if-match");
    }

    [Fact]
    public async Task AddRegistry_WithPath_CarriesPathAndScopeAndBothEntriesAreEffective()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = ApiFactory.Address, path = "team", email = "t@example.com", username = "team-robot", password = "pw-team" });

        Assert.Equal(201, response.Status);
        Assert.Equal(ApiFactory.Address, response.Json.GetProperty("address").GetString());
        Assert.Equal("team", response.Json.GetProperty("path").GetString());
        Assert.Equal(ApiFactory.Address + "/team", response.Json.GetProperty("scope").GetString());
        var entries = (await _api.SendAsync(HttpMethod.Get, Env + "/registries", ApiFactory.ReadOnly)).Json.EnumerateArray().ToArray();
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.True(e.GetProperty("effective").GetBoolean()));
        Assert.False(entries[0].TryGetProperty("path", out _));
        Assert.Equal(ApiFactory.Address, entries[0].GetProperty("scope").GetString());
    }

    [Fact]
    public async Task AddRegistry_PathOnDockerHub_NarrowsTheFixedAddress()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "dockerHub", path = "myorg", email = "t@example.com", username = "robot", password = "pw" });

        Assert.Equal(201, response.Status);
        Assert.Equal("docker.io/myorg", response.Json.GetProperty("scope").GetString());
        Assert.Equal("dockerHub", response.Json.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AddRegistry_HostPattern_IsACustomEntryOfThePattern()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = "*.corp.example", email = "c@example.com", username = "corp", password = "pw-corp" });

        Assert.Equal(201, response.Status);
        Assert.Equal("*.corp.example", response.Json.GetProperty("address").GetString());
        Assert.Equal("*.corp.example", response.Json.GetProperty("scope").GetString());
        Assert.Equal("custom", response.Json.GetProperty("kind").GetString());
        var resolved = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString("eu.corp.example/app"), ApiFactory.Member);
        Assert.Equal("authenticated", resolved.Json.GetProperty("outcome").GetString());
        Assert.Equal(response.Json.GetProperty("id").GetString(), resolved.Json.GetProperty("registryId").GetString());
    }

    [Theory]
    [InlineData("team//sub")]
    [InlineData("/team")]
    [InlineData("Team")]
    public async Task AddRegistry_InvalidPath_Is400InvalidPathNamingThePath(string path)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = ApiFactory.Address, path, email = "t@example.com", username = "t", password = ApiFactory.Canary });

        var detail = response.AssertProblem(400, "invalid-path");
        Assert.Contains("repository path", detail, StringComparison.Ordinal);
        Assert.Equal("path", response.Json.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*corp.example")]
    [InlineData("corp.*.example")]
    public async Task AddRegistry_InvalidPattern_Is400InvalidAddressNamingTheAddress(string address)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address, email = "t@example.com", username = "t", password = ApiFactory.Canary });

        response.AssertProblem(400, "invalid-address");
        Assert.Equal("address", response.Json.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AddRegistry_PastedUrlWithAPath_IsStillRefusedAsAnAddress()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = "https://registry.example.com:5000/v2/", path = "team", email = "t@example.com", username = "t", password = "pw" });

        var detail = response.AssertProblem(400, "invalid-address");
        Assert.Contains("registry.example.com:5000", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team/app", "team", "host", "less-specific")]
    [InlineData("team-b/app", "host", "team", "path-did-not-match")]
    public async Task Explain_ReadOnlyMember_NamesTheDecidingScopeAndEveryCandidatesVerdict(string repository, string decides, string other, string otherVerdict)
    {
        var team = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = ApiFactory.Address, path = "team", email = "t@example.com", username = "team-robot", password = ApiFactory.Canary + "-team" });
        var ids = new Dictionary<string, string> { ["host"] = _api.RegistryId, ["team"] = team.Json.GetProperty("id").GetString()! };

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=" + Uri.EscapeDataString(ApiFactory.Address + "/" + repository), ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        Assert.DoesNotContain(ApiFactory.Canary, response.Body, StringComparison.Ordinal);
        var json = response.Json;
        Assert.Equal("authenticated", json.GetProperty("outcome").GetString());
        Assert.Equal(ids[decides], json.GetProperty("registryId").GetString());
        Assert.Equal(ApiFactory.Address + "/" + repository + "", json.GetProperty("image").GetString());
        var candidates = json.GetProperty("candidates").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal(2, candidates.Count);
        Assert.Equal("effective", candidates[ids[decides]].GetProperty("verdict").GetString());
        Assert.Equal(otherVerdict, candidates[ids[other]].GetProperty("verdict").GetString());
        Assert.False(string.IsNullOrWhiteSpace(candidates[ids[other]].GetProperty("reason").GetString()));
        Assert.Equal("team", candidates[ids["team"]].GetProperty("path").GetString());
        Assert.False(candidates[ids["host"]].TryGetProperty("path", out _));
    }

    [Fact]
    public async Task Explain_NothingConfigured_IsAnonymousWithNoCandidate()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=" + Uri.EscapeDataString("other.example/app"), ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        Assert.Equal("anonymous", response.Json.GetProperty("outcome").GetString());
        Assert.Empty(response.Json.GetProperty("candidates").EnumerateArray());
        Assert.False(response.Json.TryGetProperty("registryId", out _));
    }

    [Fact]
    public async Task Explain_InactiveDecidingEntry_IsDeniedWithTheReason()
    {
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, Entry + "/deactivate", ApiFactory.Owner)).Status);

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=" + Uri.EscapeDataString(ApiFactory.Address + "/app"), ApiFactory.ReadOnly);

        Assert.Equal(200, response.Status);
        Assert.Equal("denied", response.Json.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrWhiteSpace(response.Json.GetProperty("reason").GetString()));
        Assert.Equal("inactive", response.Json.GetProperty("candidates")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Explain_WithoutImage_Is400()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain", ApiFactory.Member);

        response.AssertProblem(400, "invalid-input");
    }

    [Fact]
    public async Task Explain_NonMember_Is404()
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=ubuntu", ApiFactory.Outsider);

        response.AssertProblem(404, "not-found");
    }

    [Fact]
    public async Task Resolve_TeamPathEntry_DecidesForTeamImagesOnly()
    {
        var team = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Member,
            new { kind = "custom", address = ApiFactory.Address, path = "team", email = "t@example.com", username = "team-robot", password = "pw-team" });

        var inTeam = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/app"), ApiFactory.Member);
        var teamB = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team-b/app"), ApiFactory.Member);

        Assert.Equal(team.Json.GetProperty("id").GetString(), inTeam.Json.GetProperty("registryId").GetString());
        Assert.Equal("team-robot", inTeam.Json.GetProperty("username").GetString());
        Assert.Equal(_api.RegistryId, teamB.Json.GetProperty("registryId").GetString());
    }

    private static string Shape(JsonElement problem)
        => string.Join(",", problem.EnumerateObject().Select(p => p.Name).Where(n => n != "traceId").Order(StringComparer.Ordinal));
}
