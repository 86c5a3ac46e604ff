using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Registries.Core.Interop;

namespace Registries.Core.AspNetCore;

// The endpoints, one handler each, mirroring the CLI's commands (DESIGN.md section 4): the rules are the library's,
// the handlers only translate JSON to calls and answers back. Ids in routes are the environments' and entries' ids.
internal static class RegistriesEndpoints
{
    private const string Environment = "/environments/{environmentId}";
    private const string Entry = Environment + "/registries/{registryId}";

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/environments", ListEnvironmentsAsync)
            .WithName("ListEnvironments").WithSummary("Lists the environments the caller is a member of.")
            .Produces<EnvironmentDocument[]>().WithProblems(401, 503);
        group.MapPost("/environments", CreateEnvironmentAsync)
            .WithName("CreateEnvironment").WithSummary("Creates an environment; the caller becomes its Owner.")
            .AcceptsJson<CreateEnvironmentRequest>()
            .Produces<EnvironmentDocument>(StatusCodes.Status201Created).WithProblems(400, 401, 409, 413, 415, 503);
        group.MapGet(Environment, GetEnvironmentAsync)
            .WithName("GetEnvironment").WithSummary("Shows an environment and its members.")
            .Produces<EnvironmentDocument>().WithProblems(401, 404, 503);
        group.MapPut(Environment + "/members/{user}", SetMemberAsync)
            .WithName("SetMember").WithSummary("Adds a member or changes a member's role (Owners only).")
            .AcceptsJson<SetMemberRequest>()
            .Produces<EnvironmentDocument>().WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapDelete(Environment + "/members/{user}", RemoveMemberAsync)
            .WithName("RemoveMember").WithSummary("Removes a member (Owners only); the last Owner cannot be removed.")
            .WithDescription("A user who is not a member is 404 with code 'member-not-found' (the caller, an Owner, may see the members anyway). The removed user loses access at once.")
            .Produces<EnvironmentDocument>().WithProblems(400, 401, 403, 404, 409, 503);

        group.MapGet(Environment + "/registries", ListRegistriesAsync)
            .WithName("ListRegistries").WithSummary("Lists an environment's registry entries, oldest first, marking the effective and overridden ones.")
            .Produces<RegistryDocument[]>().WithProblems(401, 404, 409, 503);
        group.MapPost(Environment + "/registries", AddRegistryAsync)
            .WithName("AddRegistry")
            .WithSummary("Adds a registry credential (kind dockerHub, quay or custom); it becomes the effective one for its scope.")
            .WithDescription("A custom registry needs its address: a host name or IP address with an optional port, e.g. 'registry.example.com:5000' or '10.0.0.5:5000', without 'https://' and without a path, or a host pattern such as '*.corp.example' ('*' is one DNS label). The optional 'path' narrows the entry to a repository path prefix ('team' or 'team/sub', matched on '/' boundaries). A bad address or pattern is 400 'invalid-address', a bad path 400 'invalid-path'. The password is write-only: no response returns it.")
            .AcceptsJson<AddRegistryRequest>()
            .Produces<RegistryDocument>(StatusCodes.Status201Created).WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapGet(Entry, GetRegistryAsync)
            .WithName("GetRegistry").WithSummary("Shows one registry entry (never its password); its version is the ETag.")
            .Produces<RegistryDocument>().WithProblems(401, 404, 409, 503);
        group.MapPut(Entry, EditRegistryAsync)
            .WithName("EditRegistry").WithSummary("Changes an entry's e-mail, username and password; the password is always required again and the address never changes.")
            .AcceptsJson<EditRegistryRequest>()
            .Produces<RegistryDocument>().WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapPost(Entry + "/deactivate", DeactivateRegistryAsync)
            .WithName("DeactivateRegistry").WithSummary("Deactivates an active entry: while it is effective, pulls from its address are denied.")
            .Produces<RegistryDocument>().WithProblems(400, 401, 403, 404, 409, 503);
        group.MapPost(Entry + "/activate", ActivateRegistryAsync)
            .WithName("ActivateRegistry").WithSummary("Activates an inactive entry again, without the password.")
            .Produces<RegistryDocument>().WithProblems(400, 401, 403, 404, 409, 503);
        group.MapDelete(Entry, DeleteRegistryAsync)
            .WithName("DeleteRegistry").WithSummary("Deletes an inactive entry and erases its secret (an active one must be deactivated first).")
            .Produces<RegistryDocument>().WithProblems(400, 401, 403, 404, 409, 503);

        group.MapGet(Environment + "/resolve", ResolveAsync)
            .WithName("Resolve").WithSummary("Says which credential an image is pulled with: authenticated, anonymous or denied (Owners and Members).")
            .Produces<ResolutionDocument>().WithProblems(400, 401, 403, 404, 409, 503);

        // Its own operation rather than resolve?explain=true: another document, another permission (any member), and
        // one response schema per operation in the OpenAPI document.
        group.MapGet(Environment + "/explain", ExplainAsync)
            .WithName("Explain").WithSummary("Explains how an image resolves: the deciding scope and entry, and every candidate entry with its verdict (any member, ReadOnly included; no password).")
            .WithDescription("Verdicts: effective, overridden, less-specific, removed, path-did-not-match, pattern-did-not-match (the CLI's 'resolve --explain' names).")
            .Produces<ExplanationDocument>().WithProblems(400, 401, 404, 409, 503);
        group.MapGet(Environment + "/exports/docker-config", ExportDockerConfigAsync)
            .WithName("ExportDockerConfig").WithSummary("The effective credentials as a Docker config.json (Owners and Members; holds passwords, sent with Cache-Control: no-store).")
            .Produces<System.Text.Json.Nodes.JsonObject>(StatusCodes.Status200OK, "application/json").WithProblems(401, 403, 404, 409, 503);
        group.MapGet(Environment + "/exports/kubernetes-secret", ExportKubernetesSecretAsync)
            .WithName("ExportKubernetesSecret").WithSummary("The effective credentials as a Kubernetes Secret of type kubernetes.io/dockerconfigjson (Owners and Members; sent with Cache-Control: no-store).")
            .Produces<System.Text.Json.Nodes.JsonObject>(StatusCodes.Status200OK, "application/json").WithProblems(400, 401, 403, 404, 409, 503);
    }

    // The body is described as JSON, yet declared for every media type: routing refuses a body whose type an endpoint
    // does not declare with an empty 415 before any filter runs, and every error must be a ProblemDetails. The handler
    // itself refuses anything but JSON (415 with a ProblemDetails, see JsonBody).
    private static RouteHandlerBuilder AcceptsJson<TRequest>(this RouteHandlerBuilder builder)
        where TRequest : notnull
        => builder.Accepts<TRequest>("application/json", "*/*");

    private static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var statusCode in statusCodes)
        {
            builder.ProducesProblem(statusCode);
        }

        return builder;
    }

    private static async Task<IResult> ListEnvironmentsAsync(RegistryService service, CancellationToken cancellationToken)
    {
        var environments = await service.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        return Json(environments.Select(EnvironmentDocument.From).ToArray());
    }

    private static async Task<IResult> CreateEnvironmentAsync(HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateEnvironmentRequest>(context, cancellationToken).ConfigureAwait(false);
        var name = JsonBody.Required(body.Name, "name");
        var orchestration = body.Orchestration is null
            ? OrchestrationKind.Cattle
            : ApiNames.Parse<OrchestrationKind>(body.Orchestration, "orchestration", "cattle, kubernetes, swarm or mesos");
        var environment = await service.CreateEnvironmentAsync(name, orchestration, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path}/{Uri.EscapeDataString(environment.Id)}";
        return Json(EnvironmentDocument.From(environment), StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetEnvironmentAsync(string environmentId, RegistryService service, CancellationToken cancellationToken)
        => Json(EnvironmentDocument.From(await service.GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false)));

    private static async Task<IResult> SetMemberAsync(string environmentId, string user, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<SetMemberRequest>(context, cancellationToken).ConfigureAwait(false);
        var role = ApiNames.Parse<EnvironmentRole>(JsonBody.Required(body.Role, "role"), "role", "owner, member or readonly");
        return Json(EnvironmentDocument.From(await service.SetMemberAsync(environmentId, user, role, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<IResult> RemoveMemberAsync(string environmentId, string user, RegistryService service, CancellationToken cancellationToken)
    {
        // The library treats removing a non-member as done; over HTTP a DELETE of something that is not there is 404.
        // Only after the Owner check: a Member learns nothing new here (403 whoever the user is).
        var environment = await service.EnsurePermissionAsync(environmentId, RegistryPermission.ManageMembers, cancellationToken).ConfigureAwait(false);
        if (environment.RoleOf(user) is null)
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, "member-not-found",
                $"User '{Cut(user)}' is not a member of environment '{environmentId}': nothing to remove.", "user");
        }

        return Json(EnvironmentDocument.From(await service.RemoveMemberAsync(environmentId, user, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<IResult> ListRegistriesAsync(string environmentId, RegistryService service, CancellationToken cancellationToken)
    {
        var entries = await service.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return Json(entries.Select(RegistryDocument.From).ToArray());
    }

    private static async Task<IResult> AddRegistryAsync(string environmentId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<AddRegistryRequest>(context, cancellationToken).ConfigureAwait(false);
        var kind = ApiNames.Parse<RegistryKind>(JsonBody.Required(body.Kind, "kind"), "kind", "dockerHub, quay or custom");
        var address = kind switch
        {
            RegistryKind.DockerHub when body.Address is null => RegistryAddress.DockerHub,
            RegistryKind.Quay when body.Address is null => RegistryAddress.Quay,
            RegistryKind.Custom => ParseAddress(JsonBody.Required(body.Address, "address")),
            _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input",
                $"A {ApiNames.Of(kind)} registry has a fixed address: leave out 'address', or give kind 'custom' with it.", "address"),
        };
        var scope = ScopeOf(address, body.Path);
        var credential = Credential(body.Email, body.Username, body.Password);
        var added = await service.AddRegistryAsync(environmentId, scope, credential, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path}/{Uri.EscapeDataString(added.Id)}";
        return await EntryAsync(context, service, environmentId, added.Id, StatusCodes.Status201Created, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> GetRegistryAsync(string environmentId, string registryId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
        => await EntryAsync(context, service, environmentId, registryId, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);

    private static async Task<IResult> EditRegistryAsync(string environmentId, string registryId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<EditRegistryRequest>(context, cancellationToken).ConfigureAwait(false);
        var credential = Credential(body.Email, body.Username, body.Password);
        _ = await service.EditRegistryAsync(environmentId, registryId, credential, IfMatchOf(context), cancellationToken).ConfigureAwait(false);
        return await EntryAsync(context, service, environmentId, registryId, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> DeactivateRegistryAsync(string environmentId, string registryId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        _ = await service.DeactivateRegistryAsync(environmentId, registryId, IfMatchOf(context), cancellationToken).ConfigureAwait(false);
        return await EntryAsync(context, service, environmentId, registryId, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> ActivateRegistryAsync(string environmentId, string registryId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        _ = await service.ActivateRegistryAsync(environmentId, registryId, IfMatchOf(context), cancellationToken).ConfigureAwait(false);
        return await EntryAsync(context, service, environmentId, registryId, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> DeleteRegistryAsync(string environmentId, string registryId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        _ = await service.DeleteRegistryAsync(environmentId, registryId, IfMatchOf(context), cancellationToken).ConfigureAwait(false);
        return await EntryAsync(context, service, environmentId, registryId, StatusCodes.Status200OK, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> ResolveAsync(string environmentId, string? image, RegistryService service, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(JsonBody.Required(image, "image"));
        return Json(ResolutionDocument.From(await service.ResolveAsync(environmentId, reference, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<IResult> ExplainAsync(string environmentId, string? image, RegistryService service, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(JsonBody.Required(image, "image"));
        return Json(ExplanationDocument.From(await service.ExplainAsync(environmentId, reference, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<IResult> ExportDockerConfigAsync(string environmentId, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        var export = await new DockerConfigExporter(service).ExportAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return Secret(context, export.ToDockerConfigJson());
    }

    private static async Task<IResult> ExportKubernetesSecretAsync(string environmentId, string? name, string? @namespace, HttpContext context, RegistryService service, CancellationToken cancellationToken)
    {
        var secretName = name ?? "registries";
        var export = await new DockerConfigExporter(service).ExportAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return Secret(context, export.ToKubernetesSecretJson(secretName, @namespace));
    }

    // The one kind of answer that holds passwords: never kept by a browser or a proxy.
    private static IResult Secret(HttpContext context, string json)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        return TypedResults.Text(json, "application/json", Encoding.UTF8);
    }

    private static RegistryCredential Credential(string? email, string? username, string? password)
        => new(JsonBody.Required(email, "email"), JsonBody.Required(username, "username"), JsonBody.Required(password, "password"));

    private static RegistryAddress ParseAddress(string text)
    {
        try
        {
            // A leading '*' is a host pattern; RegistryScope.Parse makes the same choice.
            return text.StartsWith('*') ? RegistryAddress.ParsePattern(text) : RegistryAddress.Parse(text);
        }
        catch (RegistryAddressFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-address", ex.Message, "address");
        }
    }

    private static RegistryScope ScopeOf(RegistryAddress address, string? path)
    {
        try
        {
            return RegistryScope.Create(address, path);
        }
        catch (RegistryAddressFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-path", ex.Message, "path");
        }
    }

    // If-Match: "VERSION" makes a write conditional on the version the client read. The version goes to the service's
    // versioned overload, and the store compares it when it writes: no read-compare-write window between two clients.
    // Absent or * writes whatever the version (the service then retries its own conflicts).
    private static long? IfMatchOf(HttpContext context)
    {
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }

        var text = header.ToString().Trim();
        if (text == "*")
        {
            return null;
        }

        if (text.Length < 3 || text[0] != '"' || text[^1] != '"'
            || !long.TryParse(text.AsSpan(1, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var expected)
            || expected < 1)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-if-match", "The If-Match header must be the entry's ETag, e.g. \"3\" (with the quotes), or *.", "If-Match");
        }

        return expected;
    }

    private static string Cut(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");

    private static async Task<IResult> EntryAsync(HttpContext context, RegistryService service, string environmentId, string registryId, int statusCode, CancellationToken cancellationToken)
    {
        var entry = await service.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.ETag = ETagOf(entry.Registry.Version);
        return Json(RegistryDocument.From(entry), statusCode);
    }

    private static string ETagOf(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    private static IResult Json<T>(T document, int statusCode = StatusCodes.Status200OK)
        => TypedResults.Json(document, JsonBody.Options, contentType: "application/json; charset=utf-8", statusCode: statusCode);
}
